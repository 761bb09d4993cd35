"""SPEC §5 contract for `feedback`: fields, filters (status, severity, customer, SLA status), the
transition endpoint (409 for an illegal move or a stale version), permissions."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from clientela.customers.tests.factories import CustomerFactory
from clientela.feedback.models import Feedback

from .factories import FeedbackFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/feedback/"


def test_a_complaint_has_the_spec_fields_and_its_sla(api_as):
    complaint = FeedbackFactory(customer=CustomerFactory())
    body = api_as("quality").get(f"{URL}{complaint.pk}/").json()
    assert {
        "number",
        "kind",
        "customer",
        "contact",
        "channel",
        "received_at",
        "subject",
        "description",
        "category",
        "severity",
        "assigned_to",
        "status",
        "remedy_sought",
        "root_cause",
        "resolution",
        "response_to_customer",
        "customer_accepted",
        "acknowledge_due_at",
        "resolve_due_at",
        "sla_status",
        "lock_version",
    } <= set(body)
    assert body["number"].startswith("QJ-") and body["sla_status"] == "on_time"
    assert "T" in body["acknowledge_due_at"] and body["customer"] == complaint.customer_id


def test_creating_through_the_api(api_as, users):
    api = api_as("customer_service")
    response = api.post(
        URL,
        {
            "kind": "complaint",
            "channel": "email",
            "received_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "subject": "Factura duplicada",
            "description": "Nos han cobrado dos veces.",
            "severity": "low",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["acknowledge_target_hours"] == "16.00"
    bad = api.post(URL, {"kind": "complaint", "channel": "fax", "subject": ""}, format="json")
    assert bad.status_code == 400 and {"channel", "subject", "description"} <= set(bad.json())
    future = api.post(
        URL,
        {
            "kind": "complaint",
            "channel": "email",
            "subject": "x",
            "description": "y",
            "received_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert future.status_code == 400 and "received_at" in future.json()
    assigned = api.post(
        URL,
        {
            "kind": "complaint",
            "channel": "email",
            "subject": "x",
            "description": "y",
            "assigned_to": users["quality"].pk,
        },
        format="json",
    )
    assert assigned.status_code == 403


@pytest.mark.parametrize("payload", [[], "texto", {"subject": None}, {"subject": "x" * 500}, {"kind": ["a"]}])
def test_malformed_bodies_never_cause_a_500(api_as, payload):
    assert api_as("quality").post(URL, payload, format="json").status_code == 400
    assert not Feedback.objects.exists()


def test_the_steps_through_the_transition_endpoint(api_as, users):
    complaint = FeedbackFactory(assigned_to=users["customer_service"])
    api = api_as("customer_service")
    url = f"{URL}{complaint.pk}/transition/"
    assert api.post(url, {"to": "acknowledged"}, format="json").json()["status"] == "acknowledged"
    missing = api.post(url, {"to": "in_analysis"}, format="json")
    assert missing.status_code == 400 and "impact" in missing.json()
    assert (
        api.post(url, {"to": "in_analysis", "impact": "Obra parada", "severity": "high"}, format="json").status_code
        == 200
    )
    illegal = api.post(url, {"to": "closed"}, format="json")
    assert illegal.status_code == 409 and "detail" in illegal.json()
    assert api.post(url, {"to": "flying"}, format="json").status_code == 409
    resolved = api.post(
        url,
        {"to": "resolved", "root_cause": "a", "resolution": "b", "response_to_customer": "c"},
        format="json",
    )
    assert resolved.status_code == 200 and resolved.json()["sla_status"] == "met"
    assert api.post(url, {"to": "closed"}, format="json").status_code == 409  # the customer's answer first
    answered = api.post(f"{URL}{complaint.pk}/answer/", {"customer_accepted": True}, format="json")
    assert answered.status_code == 200 and answered.json()["customer_accepted"] is True
    assert api.post(url, {"to": "closed", "note": "Conforme"}, format="json").json()["status"] == "closed"


def test_records_are_never_deleted_nor_replaced(api_as):
    complaint = FeedbackFactory()
    assert api_as("admin").delete(f"{URL}{complaint.pk}/").status_code == 405
    assert api_as("admin").put(f"{URL}{complaint.pk}/", {}, format="json").status_code == 405
    assert Feedback.objects.filter(pk=complaint.pk).exists()


def test_a_stale_version_is_a_409(api_as, users):
    complaint = FeedbackFactory()
    api = api_as("quality")
    version = api.get(f"{URL}{complaint.pk}/").json()["lock_version"]
    url = f"{URL}{complaint.pk}/transition/"
    assert api.post(url, {"to": "acknowledged", "lock_version": version}, format="json").status_code == 200
    stale = api.patch(f"{URL}{complaint.pk}/", {"subject": "Otro", "lock_version": version}, format="json")
    assert stale.status_code == 409


def test_working_and_assigning_per_role(api_as, users):
    complaint = FeedbackFactory(assigned_to=users["quality"])
    url = f"{URL}{complaint.pk}/transition/"
    assert api_as("customer_service").post(url, {"to": "acknowledged"}, format="json").status_code == 403
    assert api_as("account_manager").post(url, {"to": "acknowledged"}, format="json").status_code == 403
    assert api_as("operations").get(URL).status_code == 403
    assert api_as("nobody").get(URL).status_code == 403
    patch = api_as("customer_service").patch(
        f"{URL}{complaint.pk}/", {"assigned_to": users["customer_service"].pk}, format="json"
    )
    assert patch.status_code == 403
    reassigned = api_as("sales_manager").patch(
        f"{URL}{complaint.pk}/", {"assigned_to": users["customer_service"].pk}, format="json"
    )
    assert reassigned.status_code == 200 and reassigned.json()["assigned_to"] == users["customer_service"].pk
    suggestion = FeedbackFactory(kind="suggestion", assigned_to=users["customer_service"])
    api = api_as("customer_service")
    for to, extra in [("acknowledged", {}), ("in_analysis", {})]:
        assert api.post(f"{URL}{suggestion.pk}/transition/", {"to": to, **extra}, format="json").status_code == 200
    evaluate = api.post(f"{URL}{suggestion.pk}/transition/", {"to": "rejected", "note": "No"}, format="json")
    assert evaluate.status_code == 403  # evaluating a suggestion is for quality and sales


def test_filters_by_status_severity_customer_and_sla(api_as, users):
    customer = CustomerFactory()
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        late = FeedbackFactory(severity="high", customer=customer)
    fresh = FeedbackFactory(severity="low")
    FeedbackFactory(kind="suggestion")
    api = api_as("quality")

    def numbers(**params):
        return {r["number"] for r in api.get(URL, params).json()["results"]}

    assert numbers(severity="high") == {late.number}
    assert numbers(customer=customer.pk) == {late.number}
    assert numbers(sla_status="breached") == {late.number}
    assert numbers(sla_status="on_time") == {fresh.number}
    assert numbers(search=fresh.number.lower()) == {fresh.number}
    assert api.get(URL, {"sla_status": "late"}).status_code == 400
    assert api.get(URL, {"status": "nonsense"}).status_code == 400


def test_lists_do_not_query_per_row(api_as, users, django_assert_max_num_queries):
    api = api_as("quality")
    for _ in range(3):
        FeedbackFactory(customer=CustomerFactory(), assigned_to=users["quality"])
    api.get(URL)
    with django_assert_max_num_queries(10) as few:
        api.get(URL)
    for _ in range(15):
        FeedbackFactory(customer=CustomerFactory(), assigned_to=users["customer_service"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(URL)


def test_the_schema_describes_feedback_and_action_plans(api_as):
    schema = api_as("quality").get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/feedback/",
        "/api/v1/feedback/{id}/transition/",
        "/api/v1/action-plans/",
        "/api/v1/action-plans/{id}/verify/",
        "/api/v1/action-plans/{plan_pk}/actions/",
    ):
        assert path in schema["paths"], path


@pytest.mark.parametrize("moment", ["0830-07-17T11:50:10+01:00", "1899-12-31T23:00:00Z", "2101-01-01T10:00:00Z"])
def test_a_receipt_date_out_of_any_sensible_range_is_refused(api_as, moment):
    customer = CustomerFactory()
    response = api_as("customer_service").post(
        "/api/v1/feedback/",
        {
            "kind": "complaint",
            "channel": "email",
            "customer": customer.pk,
            "subject": "Retraso",
            "description": "Llegó tarde.",
            "received_at": moment,
        },
        format="json",
    )
    assert response.status_code == 400 and "received_at" in response.json()
    assert not Feedback.objects.exists()
