"""Factories for the indicators module (test setup only; tests of behaviour call services)."""

import datetime as dt
import decimal

import factory
from django.utils import timezone

from clientela.indicators.models import IndicatorResult, IndicatorTarget, ManagementReview, RiskOpportunity


class IndicatorTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = "cct"
    year = 2026
    target = decimal.Decimal("95.00")
    warning_band = decimal.Decimal("2.00")


class IndicatorResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorResult

    indicator = "cct"
    period = "2026-Q2"
    period_start = dt.date(2026, 4, 1)
    period_end = dt.date(2026, 6, 30)
    value = decimal.Decimal("90.00")
    numerator = 9
    denominator = 10
    target = decimal.Decimal("95.00")
    status = IndicatorResult.Status.BELOW_TARGET
    closed_at = factory.LazyFunction(timezone.now)


class ManagementReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManagementReview

    period = factory.Sequence(lambda n: f"20{10 + n // 4:02d}-Q{n % 4 + 1}")


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskOpportunity

    code = factory.Sequence(lambda n: f"R-9{n:02d}")
    kind = RiskOpportunity.Kind.RISK
    title = factory.Sequence(lambda n: f"Riesgo de prueba {n}")
    likelihood = 3
    impact = 3
