"""The risk and opportunity register: pre-filled from PSC 004, assessed, heat map, treatment,
reviews due, linked plans and live signals."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clientela.core import audit
from clientela.indicators import review_pack, risk_signals, selectors, services
from clientela.indicators.models import RiskOpportunity, RiskPlanLink
from clientela.indicators.tests.factories import RiskFactory

pytestmark = pytest.mark.django_db


def test_the_register_starts_with_the_risks_and_opportunities_of_psc_004():
    register = {r.code: r for r in RiskOpportunity.objects.all()}
    assert [(c, r.kind, r.title) for c, r in sorted(register.items())] == [
        ("O-01", "opportunity", "Automatización del CRM"),
        ("O-02", "opportunity", "Encuestas digitales"),
        ("O-03", "opportunity", "Capacitación en atención al cliente"),
        ("O-04", "opportunity", "Programas de fidelización"),
        ("R-01", "risk", "Requisitos no claros"),
        ("R-02", "risk", "Respuestas lentas"),
        ("R-03", "risk", "Falta de herramientas adecuadas"),
    ]
    assert register["R-03"].signal == "late_interactions"
    assert register["R-02"].signal == "complaint_sla_breach_rate"
    assert register["R-01"].signal == "requirements_in_clarification"
    assert all(r.score is None and r.level == "unassessed" for r in register.values())
    assert register["R-01"].source.startswith("PSC 004 §5")


@pytest.mark.parametrize(
    ("likelihood", "impact", "level", "risk_label", "opportunity_label"),
    [
        (1, 4, "low", "Bajo", "Baja"),
        (3, 3, "medium", "Medio", "Media"),
        (2, 5, "high", "Alto", "Alta"),
        (4, 4, "critical", "Crítico", "Muy alta"),
    ],
)
def test_levels_of_likelihood_times_impact(likelihood, impact, level, risk_label, opportunity_label):
    risk = RiskOpportunity(kind="risk", likelihood=likelihood, impact=impact)
    opportunity = RiskOpportunity(kind="opportunity", likelihood=likelihood, impact=impact)
    assert risk.level == opportunity.level == level
    assert (risk.level_label, opportunity.level_label) == (risk_label, opportunity_label)
    assert opportunity.level_tone == "info"


def test_assessing_a_risk_is_audited_and_validated(users):
    risk = RiskOpportunity.objects.get(code="R-02")
    services.risk_update(
        actor=users["quality"],
        risk=risk,
        data={
            "likelihood": 4,
            "impact": 4,
            "strategy": "mitigate",
            "treatment": "Avisos al 80 %",
            "owner": users["quality"],
        },
    )
    risk.refresh_from_db()
    assert risk.score == 16 and risk.level == "critical"
    assert audit.history_for(risk).filter(action="changed").get().changes["likelihood"] == [None, 4]
    for bad in ({"likelihood": 6}, {"impact": 0}, {"strategy": "exploit"}, {"signal": "nothing_like_it"}):
        with pytest.raises(ValidationError):
            services.risk_update(actor=users["quality"], risk=risk, data=bad)
    # A signal a module will provide later stays when the risk is edited.
    services.risk_update(actor=users["quality"], risk=risk, data={"treatment": "Escalado al supervisor"})


def test_a_new_entry_and_its_code(users):
    entry = services.risk_create(
        actor=users["quality"],
        data={"code": " r-10 ", "kind": "risk", "title": "Pérdida de datos del CRM", "likelihood": 1, "impact": 5},
    )
    assert entry.code == "R-10"
    with pytest.raises(ValidationError):
        services.risk_create(actor=users["quality"], data={"code": "R-10", "kind": "risk", "title": "Otro"})


def test_the_heat_map_places_each_entry_by_likelihood_and_impact():
    RiskFactory(code="R-90", likelihood=2, impact=5)
    RiskFactory(code="R-91", likelihood=2, impact=5)
    RiskFactory(code="O-90", kind="opportunity", likelihood=5, impact=1)
    rows = selectors.heat_map(selectors.risk_list(), "risk")
    assert [row["impact"] for row in rows] == [5, 4, 3, 2, 1]
    cell = rows[0]["cells"][1]
    assert (cell["likelihood"], cell["impact"], cell["score"], cell["level"]) == (2, 5, 10, "high")
    assert sorted(r.code for r in cell["records"]) == ["R-90", "R-91"]
    plain = review_pack.heat_map_plain(list(selectors.risk_list()), "opportunity")
    assert plain[4]["cells"][4]["codes"] == ["O-90"]


def test_linked_plans_are_audited(users):
    risk = RiskOpportunity.objects.get(code="R-03")
    link = services.risk_link_plan(actor=users["quality"], risk=risk, reference=" pa-2026-0003 ", note="Formación CRM")
    assert link.plan_reference == "PA-2026-0003"
    with pytest.raises(ValidationError):
        services.risk_link_plan(actor=users["quality"], risk=risk, reference="PA-2026-0003")
    services.risk_unlink_plan(actor=users["quality"], link=link)
    assert not RiskPlanLink.objects.exists()
    changes = [e.changes["plans"] for e in audit.history_for(risk).filter(action="changed").order_by("seq")]
    assert changes == [[None, "PA-2026-0003"], ["PA-2026-0003", None]]


def test_overdue_reviews_are_flagged(users, client_as):
    risk = RiskOpportunity.objects.get(code="R-01")
    services.risk_update(
        actor=users["quality"], risk=risk, data={"review_date": timezone.localdate() - dt.timedelta(days=1)}
    )
    assert list(selectors.overdue_reviews()) == [risk]
    page = client_as("quality").get(reverse("indicators:risks"))
    assert "1 revisión está vencida" in page.text
    only = client_as("quality").get(reverse("indicators:risks"), {"overdue": "on"})
    assert "Requisitos no claros" in only.text and "Respuestas lentas" not in only.text


def test_the_register_shows_live_signals_and_signals_not_yet_provided(client_as):
    page = client_as("management").get(reverse("indicators:risks"))
    assert page.status_code == 200
    assert "aún no disponible" in page.text  # wait for their modules
    detail = client_as("management").get(RiskOpportunity.objects.get(code="R-03").get_absolute_url())
    assert "Umbral" in detail.text and "Interacciones registradas con retraso" in detail.text


def test_a_module_registers_a_signal_provider(users):
    risk_signals.register_signal(
        risk_signals.SignalProvider(
            key="complaint_sla_breach_rate",
            label="Quejas fuera de plazo",
            unit="percent",
            default_threshold=10,
            compute=lambda *, today: risk_signals.SignalValue(12.5, "3 de 24 quejas"),
        )
    )
    readings = selectors.signal_readings(risks=selectors.risk_list())
    assert readings["complaint_sla_breach_rate"].status == "alert"
    section = review_pack.risks_context(review=None, period=None, today=timezone.localdate())
    r02 = next(r for r in section["risks"] if r["code"] == "R-02")
    assert r02["signal"]["value"] == 12.5 and r02["signal"]["status"] == "alert"


def test_the_register_list_needs_a_fixed_number_of_queries(client_as, django_assert_max_num_queries, users):
    client = client_as("quality")
    client.get(reverse("indicators:risks"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("indicators:risks"))
    for n in range(15):
        risk = RiskFactory(code=f"R-7{n:02d}", owner=users["bob"])
        RiskPlanLink.objects.create(risk=risk, plan_reference=f"PA-2026-{n:04d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("indicators:risks"))


def test_the_register_exports(client_as):
    response = client_as("management").get(reverse("indicators:risks"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Falta de herramientas adecuadas" in body and "Programas de fidelización" in body


@pytest.mark.parametrize(
    ("role", "view", "change"),
    [
        ("quality", 200, 200),
        ("management", 200, 403),
        ("sales_manager", 200, 403),
        ("account_manager", 403, 403),
        ("customer_service", 403, 403),
    ],
)
def test_who_may_see_and_change_the_register(client_as, role, view, change):
    client = client_as(role)
    risk = RiskOpportunity.objects.get(code="R-01")
    assert client.get(reverse("indicators:risks")).status_code == view
    assert client.get(risk.get_absolute_url()).status_code == view
    assert client.get(reverse("indicators:risk_edit", args=[risk.pk])).status_code == change
    assert client.get(reverse("indicators:signal_settings")).status_code == change
    response = client.post(reverse("indicators:risk_link_plan", args=[risk.pk]), {"plan_reference": "PA-1"})
    assert response.status_code == (302 if change == 200 else 403)


def test_editing_through_the_pages(client_as, users):
    client = client_as("quality")
    risk = RiskOpportunity.objects.get(code="R-03")
    response = client.post(
        reverse("indicators:risk_edit", args=[risk.pk]),
        {
            "code": "R-03",
            "kind": "risk",
            "title": risk.title,
            "likelihood": "4",
            "impact": "3",
            "strategy": "mitigate",
            "treatment": "Registro el mismo día",
            "owner": users["quality"].pk,
            "review_date": "2027-01-15",
            "signal": "late_interactions",
            "lock_version": risk.lock_version,
        },
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.score == 12
    stale = client.post(
        reverse("indicators:risk_edit", args=[risk.pk]),
        {"code": "R-03", "kind": "risk", "title": "Otro", "signal": "late_interactions", "lock_version": 1},
    )
    assert stale.status_code == 200 and "mientras" in stale.text
    response = client.post(
        reverse("indicators:signal_settings"), {"late_interaction_days": "3", "threshold_late_interactions": "12,5"}
    )
    assert response.status_code in (200, 302)
    response = client.post(
        reverse("indicators:signal_settings"), {"late_interaction_days": "3", "threshold_late_interactions": "12.5"}
    )
    assert response.status_code == 302
    assert risk_signals.late_interaction_days() == 3
    assert risk_signals.threshold_for(risk_signals.get_provider("late_interactions")) == 12.5
