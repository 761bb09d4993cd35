"""Factories for customers, contacts and interactions (test setup only; tests of behaviour call services)."""

import datetime as dt

import factory
from django.utils import timezone

from clientela.customers.models import Contact, Customer, Interaction


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"CLI-9{n:05d}")
    name = factory.Sequence(lambda n: f"Empresa de Pruebas {n} S.L.")
    country = "ES"
    status = Customer.Status.ACTIVE
    segment = "Industria"
    search_text = factory.LazyAttribute(lambda o: f"{o.code.lower()} {o.name.lower()}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    first_name = factory.Sequence(lambda n: f"Nombre{n}")
    last_name = "Pérez"
    email = factory.Sequence(lambda n: f"contacto{n}@empresa.es")
    survey_consent = True
    survey_legal_basis = Contact.LegalBasis.CONSENT


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    channel = Interaction.Channel.PHONE
    direction = Interaction.Direction.INBOUND
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    subject = factory.Sequence(lambda n: f"Llamada {n}")
