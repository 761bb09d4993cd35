"""Factories for loyalty records (test setup only; behaviour is exercised through the services)."""

import decimal
from types import SimpleNamespace

import factory

from clientela.customers.tests.factories import CustomerFactory
from clientela.loyalty.models import EarningRule, LoyaltyProgramme, Membership, Reward, Tier


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoyaltyProgramme

    name = factory.Sequence(lambda n: f"Programa {n}")
    status = LoyaltyProgramme.Status.ACTIVE
    points_validity_months = 12


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Nivel {n}")
    min_points = 0


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EarningRule

    programme = factory.SubFactory(ProgrammeFactory)
    event = EarningRule.Event.CONTRACT_SIGNED
    currency = "EUR"
    points_per_unit = decimal.Decimal("0.1")


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Recompensa {n}")
    points_cost = 100


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    number = factory.Sequence(lambda n: f"SOC-9{n:05d}")
    programme = factory.SubFactory(ProgrammeFactory)
    customer = factory.SubFactory(CustomerFactory)


def programme_with_tiers(**kwargs) -> LoyaltyProgramme:
    """Bronce from 0, Plata from 1 000 and Oro from 5 000 points."""
    programme = ProgrammeFactory(**kwargs)
    for name, points in (("Bronce", 0), ("Plata", 1000), ("Oro", 5000)):
        TierFactory(programme=programme, name=name, min_points=points)
    return programme


class StandIn:
    """A record of a module this branch does not have (a contract, a survey response): what the
    events hand over is an object with a primary key, a text and Django's `_meta` names."""

    def __init__(self, app_label: str, model_name: str, pk: int, label: str) -> None:
        self.pk = pk
        self.label = label
        self._meta = SimpleNamespace(app_label=app_label, model_name=model_name, concrete_model=self)

    def __str__(self) -> str:
        return self.label


def contract(pk: int = 1, label: str = "CT-2026-0001") -> StandIn:
    return StandIn("contracts", "contract", pk, label)


def survey_response(pk: int = 1, label: str = "Respuesta 1") -> StandIn:
    return StandIn("surveys", "response", pk, label)
