"""Management review (Revisión por la Dirección): the pack, the meeting record, approval that freezes
both, the PDF kept as approved, and the follow-up of decisions at the next review."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from clientela.core import audit
from clientela.core.errors import DomainError
from clientela.core.periods import Period
from clientela.indicators import review_pack, services
from clientela.indicators.models import ApprovedReviewPdf, ManagementReview, ReviewDecision, RiskOpportunity
from clientela.indicators.tests.factories import IndicatorTargetFactory

pytestmark = pytest.mark.django_db

Q3 = Period.parse("2026-Q3")
TODAY = dt.date(2026, 11, 29)


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def review(users):
    review = services.review_create(actor=users["quality"], period=Q3)
    review = services.review_update(
        actor=users["quality"],
        review=review,
        data={
            "meeting_date": dt.date(2026, 10, 16),
            "attendees": [users["management"], users["quality"]],
            "other_attendees": "Auditora externa (observadora)",
            "conclusions": "El proceso es eficaz; el CCT requiere un plan de acción.",
            "resources": "Se refuerza el equipo operativo en temporada alta.",
        },
    )
    services.decision_add(
        actor=users["quality"],
        review=review,
        data={
            "kind": "action",
            "description": "Revisar la planificación de entregas con operaciones.",
            "owner": users["operations"],
            "due_date": dt.date(2026, 12, 15),
        },
    )
    return review


def approve(users, review):
    return services.review_approve(actor=users["management"], review=review, today=TODAY)


def test_a_review_covers_one_quarter_once(users):
    with pytest.raises(ValidationError):
        services.review_create(actor=users["quality"], period=Period.parse("2026-09"))
    services.review_create(actor=users["quality"], period=Q3)
    with pytest.raises(ValidationError):
        services.review_create(actor=users["quality"], period=Q3)


def test_approval_needs_the_meeting_record(users):
    draft = services.review_create(actor=users["quality"], period=Q3)
    with pytest.raises(ValidationError) as refused:
        approve(users, draft)
    assert set(refused.value.message_dict) == {"meeting_date", "attendees", "conclusions"}
    services.review_update(
        actor=users["quality"],
        review=draft,
        data={"meeting_date": TODAY + dt.timedelta(days=3), "other_attendees": "CEO", "conclusions": "Bien."},
    )
    with pytest.raises(ValidationError) as refused:
        approve(users, draft)
    assert set(refused.value.message_dict) == {"meeting_date"}
    assert ManagementReview.objects.get().status == "draft"


def test_approval_freezes_the_pack_and_the_meeting_record(users, review, fake_cct, fake_sc):
    approved = approve(users, review)
    assert approved.status == "approved" and approved.approved_by == users["management"]
    keys = [s["key"] for s in approved.pack["sections"]]
    assert keys == ["previous_actions", "indicators", "risks", "resources"]
    indicators = next(s for s in approved.pack["sections"] if s["key"] == "indicators")["data"]["indicators"]
    cct = next(i for i in indicators if i["key"] == "cct")
    assert (cct["value"], cct["numerator"], cct["denominator"], cct["target"], cct["status"]) == (
        90.0,
        45,
        50,
        95.0,
        "below_target",
    )
    assert len(cct["trend"]) == 8 and cct["trend"][-1]["period"] == "2026-Q3"
    record = approved.pack["record"]
    assert record["meeting_date"] == "2026-10-16" and record["decisions"][0]["owner"] == str(users["operations"])
    frozen = ApprovedReviewPdf.objects.get(review=approved)
    assert bytes(frozen.content).startswith(b"%PDF")
    entry = audit.history_for(approved).get(action="transition")
    assert entry.changes == {"status": ["draft", "approved"]} and frozen.sha256 in entry.note


def test_the_pdf_is_in_spanish_and_contains_the_figures(users, review, fake_cct, fake_sc):
    approved = approve(users, review)
    text = pdf_text(bytes(approved.approved_pdf.content))
    for expected in (
        "Revisión por la Dirección 2026-Q3",
        "Acta de la reunión",
        "90,00 %",  # CCT
        "85,00 %",  # SC
        "45 / 50",
        "Requisitos no claros",
        "Revisar la planificación de entregas",
        "Auditora externa",
        str(users["management"]),
    ):
        assert expected in text, expected


def test_a_frozen_review_refuses_every_change(users, review, client_as):
    approved = approve(users, review)
    decision = approved.decisions.get()
    attempts = [
        lambda: services.review_update(actor=users["quality"], review=approved, data={"conclusions": "Otra cosa"}),
        lambda: services.decision_add(
            actor=users["quality"],
            review=approved,
            data={"kind": "action", "description": "x", "owner": users["quality"], "due_date": TODAY},
        ),
        lambda: services.decision_update(actor=users["quality"], decision=decision, data={"description": "y"}),
        lambda: services.decision_remove(actor=users["quality"], decision=decision),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="frozen|congelada"):
            attempt()
    client = client_as("quality")
    response = client.get(reverse("indicators:review_edit", args=[approved.pk]), follow=True)
    assert response.redirect_chain and "congelada" in response.text
    response = client.post(reverse("indicators:review_edit", args=[approved.pk]), {"conclusions": "Cambio"})
    approved.refresh_from_db()
    assert approved.conclusions == "El proceso es eficaz; el CCT requiere un plan de acción."


def test_approving_twice_is_refused(users, review, api_as):
    approve(users, review)
    with pytest.raises(DomainError, match="already approved|ya fue aprobada"):
        approve(users, ManagementReview.objects.get())
    response = api_as("management").post(f"/api/v1/management-reviews/{review.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["detail"]


def test_later_data_changes_do_not_alter_an_approved_review(users, review, fake_cct, fake_sc, client_as):
    approved = approve(users, review)
    pack = approved.pack
    client = client_as("management")
    first = client.get(reverse("indicators:review_pdf", args=[approved.pk]))
    assert first["Content-Type"] == "application/pdf" and "2026-Q3.pdf" in first["Content-Disposition"]
    # The world moves on: the figures, the targets and the register change.
    fake_cct.figures["2026-Q3"] = (10, 50)
    IndicatorTargetFactory(indicator="cct", year=2026, target=80)
    RiskOpportunity.objects.filter(code="R-01").update(title="Requisitos cambiados")
    approved.refresh_from_db()
    assert approved.pack == pack
    second = client.get(reverse("indicators:review_pdf", args=[approved.pk]))
    assert second.content == first.content
    assert "Requisitos no claros" in pdf_text(second.content)
    page = client.get(approved.get_absolute_url())
    assert "90,00" in page.text and "Requisitos no claros" in page.text and "20,00" not in page.text


def test_a_review_in_preparation_shows_live_figures_and_a_draft_pdf(users, review, fake_cct, client_as):
    client = client_as("quality")
    assert "90,00" in client.get(review.get_absolute_url()).text
    fake_cct.figures["2026-Q3"] = (50, 50)
    assert "100,00" in client.get(review.get_absolute_url()).text
    response = client.get(reverse("indicators:review_pdf", args=[review.pk]))
    assert "borrador" in response["Content-Disposition"]
    assert "BORRADOR" in pdf_text(response.content)


def test_decisions_are_followed_up_after_approval_and_read_by_the_next_review(users, review):
    decision = review.decisions.get()
    with pytest.raises(DomainError):
        services.decision_follow_up(actor=users["quality"], decision=decision, to="done", note="Hecho")
    approve(users, review)
    with pytest.raises(ValidationError):
        services.decision_follow_up(actor=users["quality"], decision=ReviewDecision.objects.get(), to="done")
    done = services.decision_follow_up(
        actor=users["operations"], decision=ReviewDecision.objects.get(), to="done", note="Planificación revisada."
    )
    assert done.status == "done" and done.closed_at is not None
    assert audit.history_for(done).filter(action="transition").exists()
    following = services.review_create(actor=users["quality"], period=Period.parse("2026-Q4"))
    section = review_pack.previous_actions_context(review=following, period=Period.parse("2026-Q4"), today=TODAY)
    assert section["previous"]["period"] == "2026-Q3"
    assert [(d["description"], d["status"]) for d in section["decisions"]] == [
        ("Revisar la planificación de entregas con operaciones.", "done")
    ]


def test_an_open_overdue_decision_of_an_older_review_is_followed_up_too(users, review):
    approve(users, review)
    section = review_pack.previous_actions_context(
        review=ManagementReview(period="2027-Q2"), period=Period.parse("2027-Q2"), today=dt.date(2027, 7, 1)
    )
    assert section["overdue"] == 1 and section["decisions"][0]["overdue"] is True


def test_a_section_registered_by_another_module_is_compiled_and_survives_its_template(users, review, client_as):
    review_pack.register_section(
        review_pack.ReviewSection(
            "complaints",
            "Quejas y sugerencias",
            "feedback/pack/_complaints.html",
            lambda *, review, period, today: {"received": 12, "closed_in_time": 10},
            order=40,
        )
    )
    approved = approve(users, review)
    assert next(s for s in approved.pack["sections"] if s["key"] == "complaints")["data"] == {
        "received": 12,
        "closed_in_time": 10,
    }
    page = client_as("management").get(approved.get_absolute_url())
    assert page.status_code == 200 and "closed_in_time" in page.text


@pytest.mark.parametrize(
    ("role", "view", "change", "approve_status"),
    [
        ("management", 200, 200, 302),
        ("quality", 200, 200, 403),
        ("sales_manager", 200, 403, 403),
        ("account_manager", 403, 403, 403),
        ("operations", 403, 403, 403),
    ],
)
def test_who_may_see_prepare_and_approve(client_as, users, review, role, view, change, approve_status):
    client = client_as(role)
    assert client.get(review.get_absolute_url()).status_code == view
    assert client.get(reverse("indicators:review_edit", args=[review.pk])).status_code == change
    assert client.post(reverse("indicators:review_approve", args=[review.pk])).status_code == approve_status
    review.refresh_from_db()
    assert review.is_frozen is (approve_status == 302)


def test_pages_of_reviews(client_as, users, review, django_assert_max_num_queries):
    client = client_as("quality")
    response = client.post(reverse("indicators:review_create"), {"period": "2026-Q4"})
    assert response.status_code == 302 and ManagementReview.objects.filter(period="2026-Q4").exists()
    response = client.post(reverse("indicators:review_create"), {"period": "2026-Q4"}, follow=True)
    assert "Ya existe" in response.text
    listing = client.get(reverse("indicators:reviews"), {"status": "draft"})
    assert "2026-Q3" in listing.text and "2026-Q4" in listing.text
    response = client.post(
        reverse("indicators:decision_create", args=[review.pk]),
        {
            "kind": "resource",
            "description": "Una persona más",
            "owner": users["management"].pk,
            "due_date": "2026-12-31",
        },
    )
    assert response.status_code == 302 and review.decisions.count() == 2
    client.get(review.get_absolute_url())
    with django_assert_max_num_queries(80) as few:
        client.get(review.get_absolute_url())
    for n in range(10):
        services.decision_add(
            actor=users["quality"],
            review=review,
            data={"kind": "action", "description": f"Acción {n}", "owner": users["bob"], "due_date": TODAY},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(review.get_absolute_url())
