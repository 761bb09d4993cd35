"""Factories for contracts, regulations, deliverables and deliveries (test setup only; tests of
behaviour call the services)."""

import datetime as dt
import decimal

import factory

from clientela.contracts.models import Contract, Deliverable, Delivery, Regulation
from clientela.core.importing import normalise
from clientela.customers.tests.factories import CustomerFactory


class RegulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regulation

    code = factory.Sequence(lambda n: f"NORMA-{n}")
    title = factory.Sequence(lambda n: f"Norma de pruebas {n}")
    jurisdiction = "España"
    search_text = factory.LazyAttribute(lambda o: normalise(f"{o.code} {o.title}"))


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"CT-2026-9{n:03d}")
    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Mantenimiento de instalaciones {n}")
    kind = Contract.Kind.MAINTENANCE
    status = Contract.Status.ACTIVE
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2026, 12, 31)
    value = decimal.Decimal("12000.00")
    currency = "EUR"
    search_text = factory.LazyAttribute(lambda o: normalise(f"{o.number} {o.title} {o.customer.name}"))


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    contract = factory.SubFactory(ContractFactory)
    description = factory.Sequence(lambda n: f"Informe mensual {n}")
    due_date = dt.date(2026, 5, 15)
    status = Deliverable.Status.PENDING


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery
        skip_postgeneration_save = True

    deliverable = factory.SubFactory(DeliverableFactory)
    delivered_on = factory.LazyAttribute(lambda o: o.deliverable.due_date)
    conforming = True

    @factory.post_generation
    def sync_status(obj, create, extracted, **kwargs):
        """Keep the deliverable's status as the service would."""
        if create and obj.conforming and obj.deliverable.status == Deliverable.Status.PENDING:
            Deliverable.objects.filter(pk=obj.deliverable_id).update(status=Deliverable.Status.DELIVERED)
            obj.deliverable.status = Deliverable.Status.DELIVERED
