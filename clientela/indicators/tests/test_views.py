"""Pages of the indicators: the dashboard, an indicator's detail, targets, the home widget and the
navigation, with their permissions and query counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.core.periods import Period
from clientela.customers.tests.factories import CustomerFactory, InteractionFactory
from clientela.indicators.models import IndicatorTarget
from clientela.indicators.tests.factories import IndicatorResultFactory, IndicatorTargetFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "indicators:dashboard"


def test_the_dashboard_shows_the_process_indicators_first_with_their_targets(client_as, fake_cct, fake_sc):
    page = client_as("management").get(reverse(DASHBOARD), {"period": "2026-Q3"})
    text = page.text
    assert page.status_code == 200
    assert text.index("CCT") < text.index("Interacciones registradas con retraso")
    assert "90,00" in text and "≥ 95,00" in text and "45 de 50" in text
    assert "85,00" in text and "≥ 85,00" in text and "Bajo la meta" in text and "En meta" in text
    assert 'data-chart="chart-cct"' in text and 'id="chart-cct" type="application/json"' in text
    assert "style=" not in text and "<script>" not in text
    assert "/customers/?period=2026-Q3" in text  # the records behind CCT


def test_the_open_quarter_is_provisional_and_the_default(client_as):
    page = client_as("quality").get(reverse(DASHBOARD))
    assert Period.current_quarter().label in page.text and "Provisional" in page.text


@pytest.mark.parametrize(
    ("period", "message"),
    [("2026-Q5", "no es un periodo"), ("26-Q1", "no es un periodo"), ("2026-13", "no es un periodo"), ("9999", "2100")],
)
def test_a_malformed_period_says_so_and_shows_the_current_quarter(client_as, period, message):
    page = client_as("quality").get(reverse(DASHBOARD), {"period": period})
    assert page.status_code == 200 and message in page.text
    assert Period.current_quarter().label in page.text
    detail = client_as("quality").get(reverse("indicators:detail", args=["cct"]), {"period": period})
    assert detail.status_code == 200 and message in detail.text


def test_filters_reach_the_indicators(client_as, fake_cct, users):
    page = client_as("management").get(
        reverse(DASHBOARD), {"period": "2026-Q3", "segment": "", "account_manager": users["account_manager"].pk}
    )
    assert page.status_code == 200 and "Filtrado" in page.text
    assert fake_cct.calls[-1]["account_manager"] == users["account_manager"].pk


def test_the_dashboard_needs_a_fixed_number_of_queries(client_as, fake_cct, fake_sc, django_assert_max_num_queries):
    client = client_as("management")
    client.get(reverse(DASHBOARD), {"period": "2026-Q3"})
    with django_assert_max_num_queries(60) as few:
        client.get(reverse(DASHBOARD), {"period": "2026-Q3"})
    for _ in range(20):
        InteractionFactory(customer=CustomerFactory(), occurred_at=timezone.now())
    IndicatorResultFactory(indicator="cct", period="2026-Q2")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(DASHBOARD), {"period": "2026-Q3"})


def test_an_indicator_detail_lists_its_closed_periods(client_as, fake_cct):
    IndicatorResultFactory(indicator="cct", period="2026-Q2", value=90)
    page = client_as("quality").get(reverse("indicators:detail", args=["cct"]), {"period": "2026-Q3"})
    assert page.status_code == 200 and "2026-Q2" in page.text and "Registrar el análisis" in page.text
    assert client_as("management").get(reverse("indicators:detail", args=["nope"])).status_code == 404


def test_management_sets_the_targets_of_a_year(client_as, users):
    client = client_as("management")
    page = client.get(reverse("indicators:targets"), {"year": 2027})
    assert page.status_code == 200 and 'name="target-cct"' in page.text and "95.00" in page.text
    response = client.post(
        reverse("indicators:targets"),
        {"year": "2027", "target-cct": "96,5", "band-cct": "1", "target-sc": "85.00", "band-sc": "2.00"},
    )
    assert response.status_code == 302
    assert IndicatorTarget.objects.get(indicator="cct", year=2027).target == 96.5
    # SC kept its default: nothing is stored until it changes.
    assert not IndicatorTarget.objects.filter(indicator="sc").exists()
    bad = client.post(reverse("indicators:targets"), {"year": "2027", "target-cct": "97", "target-sc": "180"})
    assert bad.status_code == 200 and "No se guardó nada" in bad.text
    assert IndicatorTarget.objects.get(indicator="cct", year=2027).target == 96.5


@pytest.mark.parametrize("role", ["quality", "sales_manager"])
def test_others_read_the_targets_but_cannot_set_them(client_as, role):
    IndicatorTargetFactory(indicator="cct", year=2026, target=93)
    client = client_as(role)
    page = client.get(reverse("indicators:targets"), {"year": 2026})
    assert page.status_code == 200 and "93,00" in page.text and 'name="target-cct"' not in page.text
    assert client.post(reverse("indicators:targets"), {"year": "2026", "target-cct": "50"}).status_code == 403
    assert IndicatorTarget.objects.get().target == 93


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("management", 200),
        ("quality", 200),
        ("sales_manager", 200),
        ("account_manager", 403),
        ("customer_service", 403),
        ("operations", 403),
        ("nobody", 403),
    ],
)
def test_who_may_see_the_indicators(client_as, role, status):
    client = client_as(role)
    for name, args in ((DASHBOARD, []), ("indicators:detail", ["cct"]), ("indicators:targets", [])):
        assert client.get(reverse(name, args=args)).status_code == status
    assert client.get(reverse("indicators:index")).status_code == (302 if status == 200 else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_home_shows_the_process_indicators_to_management(client_as, fake_sc):
    page = client_as("management").get(reverse("core:home"))
    assert "Indicadores del proceso" in page.text and "SC" in page.text and "CCT" in page.text
    assert "Indicadores del proceso" not in client_as("operations").get(reverse("core:home")).text


def test_the_navigation_has_the_monitoring_area(client_as):
    text = client_as("quality").get(reverse("core:home")).text
    for label in ("Indicadores", "Revisión por la Dirección", "Riesgos y oportunidades", "Documentos"):
        assert label in text
    text = client_as("customer_service").get(reverse("core:home")).text
    assert "Documentos" in text and "Riesgos y oportunidades" not in text


def test_global_search_finds_risks_and_documents(client_as):
    text = client_as("quality").get(reverse("core:search"), {"q": "PSC"}).text
    assert "Gestión del Cliente" in text
    text = client_as("quality").get(reverse("core:search"), {"q": "herramientas"}).text
    assert "Falta de herramientas adecuadas" in text
