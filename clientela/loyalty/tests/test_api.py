"""SPEC §5 contract for loyalty-programmes, memberships, points and redemptions."""

import pytest

from clientela.customers.tests.factories import CustomerFactory
from clientela.loyalty import ledger, services
from clientela.loyalty.models import Membership, PointsEntry, Redemption
from clientela.loyalty.tests.factories import MembershipFactory, RewardFactory, programme_with_tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return programme_with_tiers(name="Programa Socios Preferentes")


@pytest.fixture
def member(programme, users):
    membership = MembershipFactory(
        programme=programme, customer=CustomerFactory(account_manager=users["account_manager"])
    )
    services.points_adjust(actor=None, membership=membership, points=1200, reason="Carga inicial")
    return membership


def test_programmes_carry_tiers_rules_and_rewards(api_as, programme):
    RewardFactory(programme=programme, name="Cesta gourmet", points_cost=600)
    body = api_as("customer_service").get("/api/v1/loyalty-programmes/").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["name"] == "Programa Socios Preferentes" and item["status"] == "active"
    assert [t["name"] for t in item["tiers"]] == ["Bronce", "Plata", "Oro"]
    assert item["rewards"][0]["points_cost"] == 600


def test_programmes_are_created_and_moved_through_their_states(api_as):
    api = api_as("sales_manager")
    response = api.post(
        "/api/v1/loyalty-programmes/", {"name": "Club Pymes", "enrol_segments": ["Salud", "Salud "]}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "draft"
    assert response.json()["enrol_segments"] == ["Salud"]
    pk = response.json()["id"]
    refused = api.post(f"/api/v1/loyalty-programmes/{pk}/transition/", {"to": "active"}, format="json")
    assert refused.status_code == 409 and "detail" in refused.json()
    assert api.post(f"/api/v1/loyalty-programmes/{pk}/transition/", {"to": "closed"}, format="json").status_code == 200
    assert api.post(f"/api/v1/loyalty-programmes/{pk}/transition/", {"to": "draft"}, format="json").status_code == 409
    assert (
        api_as("account_manager").post("/api/v1/loyalty-programmes/", {"name": "X"}, format="json").status_code == 403
    )


def test_memberships_show_balance_and_tier(api_as, member):
    body = api_as("quality").get(f"/api/v1/memberships/{member.pk}/").json()
    assert body["balance"] == 1200 and body["qualifying_points"] == 1200 and body["tier"]["name"] == "Plata"
    listing = api_as("quality").get("/api/v1/memberships/", {"customer": member.customer_id}).json()
    assert listing["count"] == 1 and listing["results"][0]["tier"]["name"] == "Plata"
    ordered = api_as("quality").get("/api/v1/memberships/", {"ordering": "-balance"})
    assert ordered.status_code == 200


def test_enrolling_through_the_api(api_as, programme, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    api = api_as("account_manager")
    response = api.post("/api/v1/memberships/", {"programme": programme.pk, "customer": customer.pk}, format="json")
    assert response.status_code == 201 and response.json()["number"].startswith("SOC-")
    assert response.json()["balance"] == 0 and response.json()["tier"]["name"] == "Bronce"
    again = api.post("/api/v1/memberships/", {"programme": programme.pk, "customer": customer.pk}, format="json")
    assert again.status_code == 400 and "customer" in again.json()
    former = CustomerFactory(status="former", account_manager=users["account_manager"])
    assert (
        api.post("/api/v1/memberships/", {"programme": programme.pk, "customer": former.pk}, format="json").status_code
        == 409
    )
    other = CustomerFactory(account_manager=users["bob"])
    assert (
        api.post("/api/v1/memberships/", {"programme": programme.pk, "customer": other.pk}, format="json").status_code
        == 403
    )


def test_the_ledger_is_read_only_except_adjustments(api_as, member):
    api = api_as("sales_manager")
    listing = api.get("/api/v1/points/", {"membership": member.pk}).json()
    assert listing["count"] == 1 and listing["results"][0]["points"] == 1200
    entry_id = listing["results"][0]["id"]
    assert api.patch(f"/api/v1/points/{entry_id}/", {"points": 5}, format="json").status_code == 405
    assert api.delete(f"/api/v1/points/{entry_id}/").status_code == 405
    response = api.post(
        "/api/v1/points/", {"membership": member.pk, "points": -200, "reason": "Corrección de error"}, format="json"
    )
    assert response.status_code == 201 and response.json()["kind"] == "adjust"
    assert ledger.balance_of(member) == 1000


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"points": 0, "reason": "Sin puntos no hay ajuste"}, 400, "points"),
        ({"points": 10_000_000, "reason": "Dedo gordo"}, 400, "points"),
        ({"points": 50, "reason": ""}, 400, "reason"),
        ({"points": "muchos", "reason": "Texto"}, 400, "points"),
        ({"points": -5000, "reason": "Corrección excesiva"}, 409, "detail"),
    ],
)
def test_bad_adjustments_get_clear_errors(api_as, member, payload, code, field):
    response = api_as("sales_manager").post("/api/v1/points/", {"membership": member.pk, **payload}, format="json")
    assert response.status_code == code and field in response.json()
    assert PointsEntry.objects.filter(membership=member).count() == 1


def test_redemptions_spend_and_refuse_beyond_the_balance(api_as, member, programme):
    reward = RewardFactory(programme=programme, points_cost=1000)
    api = api_as("account_manager")
    response = api.post("/api/v1/redemptions/", {"membership": member.pk, "reward": reward.pk}, format="json")
    assert response.status_code == 201 and response.json()["points"] == 1000
    refused = api.post("/api/v1/redemptions/", {"membership": member.pk, "reward": reward.pk}, format="json")
    assert refused.status_code == 409 and "200" in refused.json()["detail"]
    pk = response.json()["id"]
    assert api.post(f"/api/v1/redemptions/{pk}/transition/", {"to": "cancelled"}, format="json").status_code == 200
    assert ledger.balance_of(member) == 1200
    assert api.post(f"/api/v1/redemptions/{pk}/transition/", {"to": "delivered"}, format="json").status_code == 409
    assert api.post(f"/api/v1/redemptions/{pk}/transition/", {"to": "nonsense"}, format="json").status_code == 409


def test_another_managers_member_is_read_only(api_as, programme, users):
    other = MembershipFactory(programme=programme, customer=CustomerFactory(account_manager=users["bob"]))
    api = api_as("account_manager")
    assert api.get(f"/api/v1/memberships/{other.pk}/").status_code == 200
    response = api.post("/api/v1/points/", {"membership": other.pk, "points": 10, "reason": "No es mío"}, format="json")
    assert response.status_code == 403
    reward = RewardFactory(programme=programme, points_cost=1)
    assert (
        api.post("/api/v1/redemptions/", {"membership": other.pk, "reward": reward.pk}, format="json").status_code
        == 403
    )
    assert not Redemption.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("management", 200),
        ("quality", 200),
        ("sales_manager", 200),
        ("account_manager", 200),
        ("customer_service", 200),
        ("operations", 403),
        ("nobody", 403),
    ],
)
@pytest.mark.parametrize(
    "url", ["/api/v1/loyalty-programmes/", "/api/v1/memberships/", "/api/v1/points/", "/api/v1/redemptions/"]
)
def test_who_may_read_loyalty(api_as, role, status, url):
    assert api_as(role).get(url).status_code == status


def test_list_queries_do_not_grow_with_rows(api_as, programme, django_assert_max_num_queries):
    api = api_as("sales_manager")
    for _ in range(3):
        MembershipFactory(programme=programme)
    api.get("/api/v1/memberships/")
    with django_assert_max_num_queries(15) as few:
        api.get("/api/v1/memberships/")
    for _ in range(20):
        m = MembershipFactory(programme=programme)
        services.points_adjust(actor=None, membership=m, points=10, reason="Carga inicial")
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/memberships/")
    api.get("/api/v1/points/")
    with django_assert_max_num_queries(15) as few:
        api.get("/api/v1/points/")


def test_malformed_bodies_never_cause_a_500(api_as, member):
    api = api_as("sales_manager")
    for payload in ([], "texto", {"membership": "x"}, {"membership": member.pk, "points": None, "reason": None}):
        assert api.post("/api/v1/points/", payload, format="json").status_code == 400
    assert (
        api.post("/api/v1/redemptions/", {"membership": member.pk, "reward": 999999}, format="json").status_code == 400
    )
    assert Membership.objects.count() == 1
