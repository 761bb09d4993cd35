"""API contract (SPEC §5): GET /api/v1/indicators/?period=…, targets, reviews, risks and documents."""

import pytest
from django.utils import timezone

from clientela.core.periods import Period, wilson_interval
from clientela.customers.tests.factories import CustomerFactory, InteractionFactory
from clientela.indicators.models import IndicatorTarget
from clientela.indicators.tests.factories import IndicatorTargetFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/indicators/"


def test_the_response_has_the_shape_of_the_spec(api_as, fake_cct, fake_sc):
    response = api_as("management").get(URL, {"period": "2026-Q3"})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("period", "start", "end", "provisional")} == {
        "period": "2026-Q3",
        "start": "2026-07-01",
        "end": "2026-09-30",
        "provisional": False,
    }
    cct, sc = body["indicators"]["cct"], body["indicators"]["sc"]
    assert {k: cct[k] for k in ("value", "numerator", "denominator", "target", "status")} == {
        "value": 90.0,
        "numerator": 45,
        "denominator": 50,
        "target": 95.0,
        "status": "below_target",
    }
    assert {k: sc[k] for k in ("value", "numerator", "denominator", "target", "status")} == {
        "value": 85.0,
        "numerator": 34,
        "denominator": 40,
        "target": 85.0,
        "status": "on_target",
    }
    assert sc["ci95"] == list(wilson_interval(34, 40))
    assert cct["level"] == "bad" and sc["level"] == "good"
    assert list(body["indicators"])[:2] == ["cct", "sc"]


def test_cct_and_sc_are_present_with_no_data_when_no_module_provides_them(api_as):
    body = api_as("quality").get(URL, {"period": "2026-Q3"}).json()
    for key in ("cct", "sc"):
        figure = body["indicators"][key]
        assert (figure["value"], figure["status"], figure["numerator"], figure["denominator"]) == (
            None,
            "no_data",
            None,
            None,
        )
    assert body["indicators"]["sc"]["ci95"] is None
    assert "late_interactions" in body["indicators"]


@pytest.mark.parametrize("period", ["2026-Q5", "26-Q1", "2026-13", "2026-Q0", "Q3-2026", "0000", "9999-Q4", "x" * 300])
def test_a_malformed_period_is_a_400_with_a_clear_message(api_as, period):
    response = api_as("management").get(URL, {"period": period})
    assert response.status_code == 400
    assert response.json()["period"][0]


@pytest.mark.parametrize(
    ("label", "start", "end"), [("2026-09", "2026-09-01", "2026-09-30"), ("2026", "2026-01-01", "2026-12-31")]
)
def test_months_and_years_are_periods_too(api_as, fake_cct, label, start, end):
    body = api_as("management").get(URL, {"period": label}).json()
    assert (body["start"], body["end"]) == (start, end)


def test_without_a_period_the_current_quarter_is_provisional(api_as):
    body = api_as("management").get(URL).json()
    assert body["period"] == Period.current_quarter().label and body["provisional"] is True


def test_filters_are_checked_and_passed_on(api_as, fake_cct, users):
    api = api_as("management")
    assert api.get(URL, {"period": "2026-Q3", "account_manager": "abc"}).status_code == 400
    assert api.get(URL, {"period": "2026-Q3", "segment": "x" * 81}).status_code == 400
    assert api.get(URL, {"period": "2026-Q3", "segment": "Salud\x00"}).status_code == 400
    assert (
        api.get(URL, {"period": "2026-Q3", "segment": "Salud", "account_manager": users["bob"].pk}).status_code == 200
    )
    assert fake_cct.calls[-1]["segment"] == "Salud" and fake_cct.calls[-1]["account_manager"] == users["bob"].pk


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
def test_who_may_read_the_indicators(api_as, role, status):
    assert api_as(role).get(URL, {"period": "2026-Q3"}).status_code == status


def test_anonymous_clients_are_refused(client):
    assert client.get(URL).status_code in (401, 403)


def test_the_number_of_queries_does_not_grow_with_the_data(api_as, fake_cct, fake_sc, django_assert_max_num_queries):
    api = api_as("management")
    api.get(URL, {"period": "2026-Q3"})
    with django_assert_max_num_queries(15) as few:
        api.get(URL, {"period": "2026-Q3"})
    for _ in range(25):
        InteractionFactory(customer=CustomerFactory(), occurred_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(URL, {"period": "2026-Q3"})


# --- targets -------------------------------------------------------------------------------------


def test_management_sets_a_target_through_the_api(api_as):
    api = api_as("management")
    response = api.post(
        "/api/v1/indicator-targets/", {"indicator": "cct", "year": 2026, "target": "96.5"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["target"] == "96.50" and response.json()["warning_band"] == "2.00"
    again = api.post("/api/v1/indicator-targets/", {"indicator": "cct", "year": 2026, "target": "97"}, format="json")
    assert again.status_code == 201 and IndicatorTarget.objects.get().target == 97
    pk = again.json()["id"]
    patched = api.patch(f"/api/v1/indicator-targets/{pk}/", {"warning_band": "1.5"}, format="json")
    assert patched.status_code == 200 and patched.json()["warning_band"] == "1.50"
    assert api_as("management").get(URL, {"period": "2026-Q3"}).json()["indicators"]["cct"]["target"] == 97.0


@pytest.mark.parametrize(
    "payload",
    [
        {"indicator": "cct", "year": 2026, "target": "101"},
        {"indicator": "cct", "year": 1999, "target": "90"},
        {"indicator": "nope", "year": 2026, "target": "90"},
        {"indicator": "cct", "year": 2026, "target": "NaN"},
        {"indicator": "cct", "year": 2026, "target": "90", "warning_band": "-1"},
    ],
)
def test_bad_targets_are_400(api_as, payload):
    response = api_as("management").post("/api/v1/indicator-targets/", payload, format="json")
    assert response.status_code == 400
    assert not IndicatorTarget.objects.exists()


@pytest.mark.parametrize("role", ["quality", "sales_manager", "account_manager"])
def test_only_management_sets_targets(api_as, role):
    target = IndicatorTargetFactory()
    api = api_as(role)
    assert api.post("/api/v1/indicator-targets/", {"indicator": "cct", "year": 2026, "target": "90"}).status_code == 403
    assert api.patch(f"/api/v1/indicator-targets/{target.pk}/", {"target": "90"}).status_code == 403
    assert api.delete(f"/api/v1/indicator-targets/{target.pk}/").status_code in (403, 405)


def test_a_stale_version_is_409(api_as):
    target = IndicatorTargetFactory()
    response = api_as("management").patch(
        f"/api/v1/indicator-targets/{target.pk}/", {"target": "90", "lock_version": 7}, format="json"
    )
    assert response.status_code == 409


# --- reviews, risks, documents --------------------------------------------------------------------


def test_risks_and_documents_are_readable(api_as):
    api = api_as("quality")
    risks = api.get("/api/v1/risks/").json()
    assert risks["count"] == 7 and {r["code"] for r in risks["results"]} >= {"R-01", "R-02", "R-03", "O-04"}
    documents = api.get("/api/v1/controlled-documents/", {"code": "PSC 004"}).json()["results"]
    assert documents[0]["versions"][0] == {
        **documents[0]["versions"][0],
        "version": "000",
        "effective_date": "2024-12-01",
        "change_summary": "Original",
        "approver_label": "CEO",
        "status": "in_force",
    }
    assert api_as("operations").get("/api/v1/risks/").status_code == 403
