"""Action-plan pages and API: list, plan page, analysis editor, actions, verification, my actions;
permissions per role and query counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.action_plans import services
from clientela.action_plans.models import Action, ActionPlan
from clientela.customers.tests.factories import CustomerFactory

from .factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db
P = ActionPlan.Status
API = "/api/v1/action-plans/"


def test_the_list_filters_sorts_and_exports(client_as, users):
    PlanFactory(title="Retrasos de transporte", owner=users["quality"])
    PlanFactory(title="Mejora del portal", kind="improvement")
    client = client_as("quality")
    page = client.get(reverse("action_plans:list"), {"kind": "improvement"})
    assert "Mejora del portal" in page.text and "Retrasos de transporte" not in page.text
    assert "Retrasos de transporte" in client.get(reverse("action_plans:list"), {"mine": "true"}).text
    csv = b"".join(client.get(reverse("action_plans:list"), {"export": "csv"}).streaming_content)
    assert b"Retrasos de transporte" in csv


def test_the_list_needs_a_fixed_number_of_queries(client_as, users, django_assert_max_num_queries):
    client = client_as("quality")
    for _ in range(3):
        ActionFactory(plan=PlanFactory(owner=users["quality"], customer=CustomerFactory()), owner=users["quality"])
    client.get(reverse("action_plans:list"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("action_plans:list"))
    for _ in range(15):
        ActionFactory(plan=PlanFactory(owner=users["operations"], customer=CustomerFactory()), owner=users["quality"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("action_plans:list"))


def test_the_plan_page_needs_a_fixed_number_of_queries(client_as, users, django_assert_max_num_queries):
    plan = PlanFactory(owner=users["quality"])
    ActionFactory(plan=plan, owner=users["operations"])
    client = client_as("quality")
    client.get(plan.get_absolute_url())
    with django_assert_max_num_queries(40) as few:
        client.get(plan.get_absolute_url())
    for _ in range(10):
        ActionFactory(plan=plan, owner=users["operations"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(plan.get_absolute_url())


def test_creating_a_plan_from_the_form(client_as, users):
    response = client_as("quality").post(
        reverse("action_plans:create"),
        {
            "kind": "corrective",
            "origin": "audit",
            "title": "Hallazgo de auditoría interna",
            "problem": "No se registra la revisión del contrato.",
            "owner": users["sales_manager"].pk,
        },
    )
    plan = ActionPlan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.origin == "audit" and plan.owner == users["sales_manager"]


def test_the_analysis_editor_saves_whys_and_6m(client_as, users):
    plan = PlanFactory(owner=users["quality"])
    client = client_as("quality")
    page = client.get(reverse("action_plans:analysis", args=[plan.pk]))
    assert page.status_code == 200 and "Mano de obra" in page.text and "¿Por qué? (5)" in page.text
    response = client.post(
        reverse("action_plans:analysis", args=[plan.pk]),
        {
            "lock_version": plan.lock_version,
            "root_cause_method": "both",
            "why_0": "¿Por qué se retrasó?",
            "answer_0": "Faltaba stock",
            "why_1": "¿Por qué faltaba?",
            "answer_1": "El pedido al proveedor se hizo tarde",
            "m_material": "Stock mínimo mal calculado",
            "m_method": "Sin alerta de stock\nPedido manual",
            "root_cause": "No hay alerta automática de stock mínimo.",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert len(plan.five_whys) == 2 and plan.ishikawa["method"] == ["Sin alerta de stock", "Pedido manual"]
    page = client.get(plan.get_absolute_url())
    assert "Stock mínimo mal calculado" in page.text and "El pedido al proveedor se hizo tarde" in page.text


def test_the_whole_plan_from_the_pages(client_as, users):
    plan = PlanFactory(owner=users["operations"], root_cause="x", effectiveness_criterion="Sin retrasos")
    owner = client_as("operations")
    response = owner.post(
        reverse("action_plans:action_create", args=[plan.pk]),
        {"description": "Revisar rutas", "owner": users["operations"].pk, "due_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert owner.post(reverse("action_plans:transition", args=[plan.pk, "in_progress"])).status_code == 302
    refused = owner.post(reverse("action_plans:action_transition", args=[action.pk, "done"]), {"done-evidence": ""})
    assert refused.status_code == 302
    action.refresh_from_db()
    assert action.status == "pending"
    owner.post(reverse("action_plans:action_transition", args=[action.pk, "done"]), {"done-evidence": "Rutas nuevas"})
    owner.post(reverse("action_plans:transition", args=[plan.pk, "pending_verification"]))
    assert owner.post(reverse("action_plans:verify", args=[plan.pk]), {}).status_code == 403
    quality = client_as("quality")
    bad = quality.post(reverse("action_plans:verify", args=[plan.pk]), {"result": "effective"})
    assert bad.status_code == 400
    quality.post(
        reverse("action_plans:verify", args=[plan.pk]),
        {"method": "Datos", "evidence": "0 retrasos", "result": "effective"},
    )
    plan.refresh_from_db()
    assert plan.status == P.CLOSED


def test_cancelling_needs_a_reason(client_as, users):
    plan = PlanFactory(owner=users["quality"])
    client = client_as("quality")
    response = client.post(reverse("action_plans:transition", args=[plan.pk, "cancelled"]), {"note": ""})
    assert response.status_code == 400 and "Indique por qué se cancela" in response.text
    client.post(reverse("action_plans:transition", args=[plan.pk, "cancelled"]), {"note": "Duplicado"})
    plan.refresh_from_db()
    assert plan.status == P.CANCELLED and plan.cancel_reason == "Duplicado"


def test_my_actions_lists_only_mine(client_as, users):
    plan = PlanFactory()
    ActionFactory(plan=plan, owner=users["operations"], description="La mía")
    ActionFactory(plan=plan, owner=users["quality"], description="La de otro")
    page = client_as("operations").get(reverse("action_plans:my_actions"))
    assert "La mía" in page.text and "La de otro" not in page.text


ROLES = [
    "admin",
    "management",
    "quality",
    "sales_manager",
    "account_manager",
    "customer_service",
    "operations",
    "nobody",
]


@pytest.mark.parametrize("role", ROLES)
def test_permissions_per_role(client, users, role):
    plan = PlanFactory(owner=users["operations"])
    action = ActionFactory(plan=plan, owner=users["customer_service"])
    client.force_login(users[role])
    everyone = set(ROLES) - {"nobody"}
    assert (client.get(reverse("action_plans:list")).status_code == 200) is (role in everyone)
    assert (client.get(plan.get_absolute_url()).status_code == 200) is (role in everyone)
    assert (client.get(reverse("action_plans:create")).status_code == 200) is (
        role in {"admin", "quality", "sales_manager"}
    )
    assert (client.get(reverse("action_plans:edit", args=[plan.pk])).status_code == 200) is (
        role in {"admin", "quality", "operations"}
    )
    evidence = client.post(
        reverse("action_plans:action_transition", args=[action.pk, "done"]), {"done-evidence": "Hecho"}
    )
    assert (evidence.status_code == 302) is (role in {"admin", "quality", "operations", "customer_service"})


def test_the_api_plan_with_nested_actions_and_verification(api_as, users):
    customer = CustomerFactory()
    api = api_as("quality")
    created = api.post(
        API,
        {
            "kind": "corrective",
            "origin": "contract",
            "title": "Entrega no conforme",
            "problem": "Material fuera de especificación",
            "owner": users["quality"].pk,
            "root_cause": "Proveedor sin homologar",
            "five_whys": [{"why": "¿Por qué?", "answer": "Porque sí"}],
            "ishikawa": {"material": ["Lote defectuoso"]},
            "source_type": "customers.customer",
            "source_id": customer.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["number"].startswith("PA-") and plan["source_type"] == "customers.customer"
    assert plan["customer"] == customer.pk and plan["ishikawa"] == {"material": ["Lote defectuoso"]}
    actions = f"{API}{plan['id']}/actions/"
    action = api.post(
        actions,
        {
            "description": "Homologar proveedor",
            "owner": users["operations"].pk,
            "due_date": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert action.status_code == 201, action.json()
    assert api.get(actions).json()["count"] == 1
    assert api.post(f"{API}{plan['id']}/transition/", {"to": "in_progress"}, format="json").status_code == 200
    done = api_as("operations").post(
        f"{actions}{action.json()['id']}/transition/", {"to": "done", "evidence": "Certificado"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api.post(f"{API}{plan['id']}/transition/", {"to": "closed"}, format="json").status_code == 409
    api.patch(f"{API}{plan['id']}/", {"effectiveness_criterion": "Sin lotes defectuosos"}, format="json")
    assert api.post(f"{API}{plan['id']}/transition/", {"to": "pending_verification"}, format="json").status_code == 200
    assert (
        api_as("sales_manager")
        .post(f"{API}{plan['id']}/verify/", {"method": "m", "evidence": "e", "result": "effective"}, format="json")
        .status_code
        == 403
    )
    verified = api.post(
        f"{API}{plan['id']}/verify/",
        {"method": "Inspección", "evidence": "3 lotes OK", "result": "effective"},
        format="json",
    )
    assert verified.status_code == 200 and verified.json()["status"] == "closed"
    assert verified.json()["checks"][0]["result"] == "effective" and verified.json()["actions"][0]["status"] == "done"


def test_the_api_refuses_bad_origins_and_malformed_analyses(api_as, users):
    api = api_as("quality")
    base = {"title": "x", "problem": "y", "owner": users["quality"].pk}
    assert (
        api.post(API, {**base, "source_type": "customers.customer", "source_id": 999999}, format="json").status_code
        == 400
    )
    assert api.post(API, {**base, "source_type": "nada.nada", "source_id": 1}, format="json").status_code == 400
    assert api.post(API, {**base, "five_whys": "texto"}, format="json").status_code == 400
    assert api.post(API, {**base, "origin": "rumour"}, format="json").status_code == 400
    assert api_as("customer_service").post(API, base, format="json").status_code == 403
    assert not ActionPlan.objects.exists()


def test_the_api_list_does_not_query_per_row(api_as, users, django_assert_max_num_queries):
    api = api_as("quality")
    for _ in range(3):
        ActionFactory(plan=PlanFactory(owner=users["quality"]), owner=users["quality"])
    api.get(API)
    with django_assert_max_num_queries(12) as few:
        api.get(API)
    for _ in range(10):
        ActionFactory(plan=PlanFactory(owner=users["quality"]), owner=users["quality"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get(API)


def test_a_stale_version_is_a_409_in_the_api(api_as):
    plan = PlanFactory()
    api = api_as("quality")
    assert api.patch(f"{API}{plan.pk}/", {"title": "Uno", "lock_version": 1}, format="json").status_code == 200
    assert api.patch(f"{API}{plan.pk}/", {"title": "Dos", "lock_version": 1}, format="json").status_code == 409
    services.plan_transition(actor=None, plan=plan, to=P.CANCELLED, note="x")
    assert api.patch(f"{API}{plan.pk}/", {"title": "Tres"}, format="json").status_code == 409
