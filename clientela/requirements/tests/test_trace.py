"""Tracing requirements to contract deliverables (SPEC §3.2, §3.6): the contract a requirement belongs
to, the deliverables that satisfy it, the service and its audit, who is told, and the automatic
fulfilment when everything traced was delivered in time and form."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.contracts import services as contract_services
from clientela.contracts.tests.factories import ContractFactory, DeliverableFactory, DeliveryFactory
from clientela.core.audit import history_for
from clientela.core.errors import ConflictError, DomainError
from clientela.core.models import AuditAction, Notification
from clientela.customers.tests.factories import CustomerFactory
from clientela.requirements import services
from clientela.requirements.models import Requirement
from clientela.requirements.selectors import concerned_people
from clientela.requirements.tests.factories import RequirementFactory, advance, traced

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(users):
    return CustomerFactory(name="Conservas del Cantábrico S.A.", account_manager=users["account_manager"])


@pytest.fixture
def contract(customer, users):
    today = timezone.localdate()
    return ContractFactory(
        customer=customer,
        owner=users["bob"],
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=165),
    )


@pytest.fixture
def other_contract(users):
    return ContractFactory(customer=CustomerFactory(account_manager=users["bob"]))


def deliverable(contract, description="Entrega mensual de envases", days=10, **kwargs):
    return DeliverableFactory(
        contract=contract, description=description, due_date=timezone.localdate() + dt.timedelta(days=days), **kwargs
    )


# --- the contract it belongs to ---------------------------------------------------------------------


def test_a_requirement_belongs_to_a_contract_of_its_own_customer(users, customer, contract, other_contract):
    requirement = services.requirement_create(
        actor=users["account_manager"], customer=customer, data={"title": "Lote con certificado", "contract": contract}
    )
    assert requirement.contract == contract and contract.requirements.get() == requirement
    with pytest.raises(ValidationError) as refused:
        services.requirement_create(
            actor=users["account_manager"], customer=customer, data={"title": "Ajeno", "contract": other_contract}
        )
    assert "contract" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.requirement_update(actor=users["admin"], requirement=requirement, data={"contract": other_contract})
    requirement.refresh_from_db()
    assert requirement.contract == contract and Requirement.objects.count() == 1


def test_the_contract_of_a_settled_requirement_changes_in_place(users, customer, contract):
    requirement = advance(RequirementFactory(customer=customer), users, "approved")
    updated = services.requirement_update(
        actor=users["sales_manager"], requirement=requirement, data={"contract": contract}
    )
    assert (updated.contract, updated.status, updated.version, updated.is_confirmed) == (
        contract,
        "approved",
        1,
        True,
    )
    entry = history_for(updated).filter(action=AuditAction.CHANGED).latest("seq")
    assert entry.changes["contract"][1]["id"] == contract.pk


def test_the_version_rows_do_not_copy_the_contract(users, customer, contract):
    requirement = services.requirement_create(
        actor=users["account_manager"], customer=customer, data={"title": "Con contrato", "contract": contract}
    )
    assert requirement.versions.get().title == "Con contrato"


# --- tracing ------------------------------------------------------------------------------------------


def test_tracing_sets_the_deliverables_and_audits_the_change(users, customer, contract):
    requirement = advance(RequirementFactory(customer=customer, contract=contract), users, "approved")
    first, second = deliverable(contract, "Envases de marzo"), deliverable(contract, "Envases de abril", days=40)
    before = requirement.lock_version
    updated = services.requirement_trace(
        actor=users["account_manager"], requirement=requirement, deliverables=[first, second]
    )
    assert set(updated.deliverables.all()) == {first, second} and updated.lock_version == before + 1
    entry = history_for(updated).filter(action=AuditAction.CHANGED).latest("seq")
    assert entry.actor == users["account_manager"] and entry.note
    old, new = entry.changes["deliverables"]
    assert old == [] and sorted(pk for pk, _ in new) == sorted([first.pk, second.pk])
    again = services.requirement_trace(actor=users["account_manager"], requirement=updated, deliverables=[second])
    assert list(again.deliverables.all()) == [second]
    assert sum("deliverables" in e.changes for e in history_for(again)) == 2


def test_tracing_the_same_deliverables_again_changes_nothing(users, customer, contract):
    requirement = traced(RequirementFactory(customer=customer), deliverable(contract))
    version = requirement.lock_version
    same = services.requirement_trace(
        actor=users["admin"], requirement=requirement, deliverables=list(requirement.deliverables.all())
    )
    assert same.lock_version == version and not history_for(same).filter(action=AuditAction.CHANGED).exists()


def test_a_deliverable_of_another_customers_contract_is_refused(users, customer, contract, other_contract):
    requirement = RequirementFactory(customer=customer)
    foreign = deliverable(other_contract, "Informe ajeno")
    with pytest.raises(ValidationError) as refused:
        services.requirement_trace(
            actor=users["sales_manager"], requirement=requirement, deliverables=[deliverable(contract), foreign]
        )
    assert "Informe ajeno" in refused.value.message_dict["deliverables"][0]
    assert not requirement.deliverables.exists()


def test_the_model_names_every_foreign_deliverable(customer, other_contract):
    requirement = RequirementFactory(customer=customer)
    with pytest.raises(ValidationError) as refused:
        requirement.clean_deliverables([deliverable(other_contract, "Uno"), deliverable(other_contract, "Dos")])
    message = refused.value.message_dict["deliverables"][0]
    assert "Uno" in message and "Dos" in message and other_contract.number in message


def test_a_cancelled_deliverable_is_not_newly_traced_but_may_stay(users, customer, contract):
    requirement = RequirementFactory(customer=customer)
    cancelled = deliverable(contract, "Auditoría anulada", status="cancelled")
    with pytest.raises(ValidationError) as refused:
        services.requirement_trace(actor=users["admin"], requirement=requirement, deliverables=[cancelled])
    assert "Auditoría anulada" in refused.value.message_dict["deliverables"][0]
    traced(requirement, cancelled)
    live = deliverable(contract)
    updated = services.requirement_trace(actor=users["admin"], requirement=requirement, deliverables=[cancelled, live])
    assert set(updated.deliverables.all()) == {cancelled, live}


@pytest.mark.parametrize("status", ["rejected", "withdrawn"])
def test_a_requirement_owed_nothing_takes_no_new_deliverables(users, customer, contract, status):
    kept = deliverable(contract, "Ya trazado")
    requirement = advance(traced(RequirementFactory(customer=customer), kept), users, status)
    with pytest.raises(DomainError):
        services.requirement_trace(
            actor=users["admin"], requirement=requirement, deliverables=[kept, deliverable(contract)]
        )
    cleared = services.requirement_trace(actor=users["admin"], requirement=requirement, deliverables=[])
    assert not cleared.deliverables.exists()


def test_a_stale_trace_is_refused(users, customer, contract):
    requirement = RequirementFactory(customer=customer)
    stale = requirement.lock_version
    services.requirement_update(actor=users["admin"], requirement=requirement, data={"title": "Cambiado"})
    with pytest.raises(ConflictError):
        services.requirement_trace(
            actor=users["account_manager"],
            requirement=requirement,
            deliverables=[deliverable(contract)],
            expected_version=stale,
        )
    assert not requirement.deliverables.exists()


def test_tracing_from_the_deliverable_changes_each_requirements_own_history(users, customer, contract):
    target = deliverable(contract, "Puesta en producción")
    kept = traced(RequirementFactory(customer=customer, title="Se queda"), target)
    dropped = traced(RequirementFactory(customer=customer, title="Se va"), target)
    added = RequirementFactory(customer=customer, title="Se añade")
    now = services.deliverable_trace(actor=users["account_manager"], deliverable=target, requirements=[kept, added])
    assert {r.title for r in now} == {"Se queda", "Se añade"}
    assert not dropped.deliverables.exists()
    assert history_for(added).filter(action=AuditAction.CHANGED).count() == 1
    assert history_for(dropped).filter(action=AuditAction.CHANGED).count() == 1
    assert not history_for(kept).filter(action=AuditAction.CHANGED).exists()


def test_a_deliverable_satisfies_only_requirements_of_its_customer(users, customer, contract):
    foreign = RequirementFactory(customer=CustomerFactory(account_manager=users["bob"]), title="Ajeno")
    with pytest.raises(ValidationError) as refused:
        services.deliverable_trace(actor=users["admin"], deliverable=deliverable(contract), requirements=[foreign])
    assert foreign.number in refused.value.message_dict["requirements"][0]
    assert not foreign.deliverables.exists()


def test_the_traceable_deliverables_are_the_customers_live_ones_own_contract_first(users, customer, contract):
    from clientela.requirements.selectors import traceable_deliverables

    older = ContractFactory(customer=customer, start_date=contract.start_date - dt.timedelta(days=400))
    draft_other = deliverable(older, "Del contrato anterior")
    own = deliverable(contract, "Del contrato propio")
    cancelled = deliverable(contract, "Anulado", status="cancelled")
    cancelled_contract = ContractFactory(customer=customer, status="cancelled")
    deliverable(cancelled_contract, "De un contrato cancelado")
    deliverable(ContractFactory(), "De otro cliente")
    requirement = RequirementFactory(customer=customer, contract=older)
    assert list(traceable_deliverables(requirement)) == [draft_other, own]
    traced(requirement, cancelled)
    assert cancelled in traceable_deliverables(requirement)


# --- who is told ----------------------------------------------------------------------------------------


def test_the_contract_owner_hears_of_a_change_to_an_agreed_requirement(users, customer, contract):
    requirement = advance(RequirementFactory(customer=customer, contract=contract), users, "approved")
    assert users["bob"] in concerned_people(requirement)
    services.requirement_new_version(
        actor=users["sales_manager"], requirement=requirement, data={"title": "Plazo de 24 horas"}, reason="Cambio"
    )
    notified = set(Notification.objects.filter(kind="requirements.new_version").values_list("recipient", flat=True))
    assert notified == {users["account_manager"].pk, users["bob"].pk}


def test_without_a_contract_nobody_else_is_told(users, customer):
    requirement = RequirementFactory(customer=customer)
    assert concerned_people(requirement) == [users["account_manager"]]


# --- fulfilment by delivery -----------------------------------------------------------------------------


def record(deliverable, *, days_late=0, conforming=True, actor=None):
    data = {"delivered_on": min(deliverable.due_date + dt.timedelta(days=days_late), timezone.localdate())}
    data["conforming"] = conforming
    if not conforming:
        data.update(nonconformity="Faltan etiquetas", severity="medium")
    return contract_services.delivery_record(actor=actor, deliverable=deliverable, data=data)


@pytest.fixture
def due_today(contract):
    return deliverable(contract, "Lote de junio", days=0)


def test_a_delivery_in_time_and_form_fulfils_the_approved_requirement_traced_to_it(users, customer, due_today):
    requirement = advance(traced(RequirementFactory(customer=customer), due_today), users, "approved")
    record(due_today, actor=users["operations"])
    requirement.refresh_from_db()
    assert requirement.status == "fulfilled"
    entry = history_for(requirement).filter(action=AuditAction.TRANSITION).latest("seq")
    assert entry.actor is None and entry.changes["status"] == ["approved", "fulfilled"] and entry.note
    notice = Notification.objects.get(kind="requirements.fulfilled")
    assert notice.recipient == users["account_manager"] and requirement.number in notice.title


def test_it_waits_for_every_deliverable_traced(users, customer, contract, due_today):
    later = deliverable(contract, "Lote de julio", days=30)
    requirement = advance(traced(RequirementFactory(customer=customer), due_today, later), users, "approved")
    record(due_today)
    requirement.refresh_from_db()
    assert requirement.status == "approved"


def test_a_late_or_nonconforming_delivery_fulfils_nothing(users, customer, contract):
    late = deliverable(contract, "Vencido", days=-5)
    flawed = deliverable(contract, "Con defectos", days=0)
    first = advance(traced(RequirementFactory(customer=customer), late), users, "approved")
    second = advance(traced(RequirementFactory(customer=customer), flawed), users, "approved")
    record(late, days_late=5)
    record(flawed, conforming=False)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "approved")


@pytest.mark.parametrize("status", ["validated", "clarifying"])
def test_only_an_approved_requirement_is_fulfilled(users, customer, due_today, status):
    requirement = advance(traced(RequirementFactory(customer=customer), due_today), users, status)
    record(due_today)
    requirement.refresh_from_db()
    assert requirement.status == status


def test_fulfilling_again_changes_nothing(users, customer, due_today):
    requirement = advance(traced(RequirementFactory(customer=customer), due_today), users, "approved")
    DeliveryFactory(deliverable=due_today, delivered_on=due_today.due_date)
    assert [r.pk for r in services.requirements_fulfil_delivered(deliverable=due_today)] == [requirement.pk]
    entries = history_for(requirement).count()
    assert services.requirements_fulfil_delivered(deliverable=due_today) == []
    assert history_for(requirement).count() == entries
    assert Notification.objects.filter(kind="requirements.fulfilled").count() == 1
