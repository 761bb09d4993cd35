"""Factories for requirements (test setup only; tests of behaviour call the services)."""

import datetime as dt

import factory
from django.utils import timezone

from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.requirements import services
from clientela.requirements.models import Requirement


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"RQ-2026-9{n:03d}")
    title = factory.Sequence(lambda n: f"Plazo de entrega {n}")
    description = "Los pedidos se entregan en el almacén central."
    acceptance_criteria = "El 98 % de los pedidos se entrega en 48 horas."
    source_reference = "Pliego técnico, apartado 4.2"
    priority = Requirement.Priority.MUST
    search_text = factory.LazyAttribute(lambda o: f"{o.number.lower()} {o.title.lower()}")

    @factory.post_generation
    def version_row(self, create, extracted, **kwargs):
        if create:
            services._sync_version(self)


def confirmed(requirement: Requirement, actor, *, contact=None) -> Requirement:
    """Record a confirmation by a contact of the requirement's customer."""
    contact = contact or ContactFactory(customer=requirement.customer)
    return services.requirement_confirm(
        actor=actor,
        requirement=requirement,
        contact=contact,
        confirmed_on=timezone.localdate() - dt.timedelta(days=1),
        method=Requirement.ConfirmationMethod.EMAIL,
    )


def advance(requirement: Requirement, users, to: str) -> Requirement:
    """Walk a requirement through the services up to `to` (validated, approved, fulfilled…)."""
    manager, approver = users["sales_manager"], users["sales_manager"]
    path = {
        "clarifying": ["clarifying"],
        "validated": ["clarifying", "validated"],
        "approved": ["clarifying", "validated", "approved"],
        "fulfilled": ["clarifying", "validated", "approved", "fulfilled"],
        "rejected": ["clarifying", "rejected"],
        "withdrawn": ["withdrawn"],
    }[to]
    for target in path:
        if requirement.status == target:
            continue
        if target == "validated" and not requirement.is_confirmed:
            requirement = confirmed(requirement, manager)
        requirement = services.requirement_transition(
            actor=approver if target in ("approved", "rejected") else manager,
            requirement=requirement,
            target=target,
            note="Motivo" if target in ("rejected", "withdrawn") else "",
        )
    return requirement


def traced(requirement: Requirement, *deliverables) -> Requirement:
    """Trace a requirement to deliverables without the service's checks (test setup only)."""
    requirement.deliverables.add(*deliverables)
    return requirement
