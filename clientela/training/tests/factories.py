"""Factories for training records (test setup only; behaviour goes through the services)."""

import datetime as dt
import decimal

import factory
from django.utils import timezone

from clientela.training.models import Competence, Course, RoleRequirement, TrainingSession


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competence

    code = factory.Sequence(lambda n: f"COMP-{n:03d}")
    name = factory.Sequence(lambda n: f"Competencia {n}")
    validity_months = 12


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleRequirement

    role = "customer_service"
    competence = factory.SubFactory(CompetenceFactory)
    required_level = 3


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"CUR-{n:03d}")
    title = factory.Sequence(lambda n: f"Curso {n}")
    duration_hours = decimal.Decimal("6")

    @factory.post_generation
    def competences(self, create, extracted, **kwargs):
        if create and extracted:
            self.competences.set(extracted)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    number = factory.Sequence(lambda n: f"FOR-2026-9{n:03d}")
    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=20))
    duration_hours = decimal.Decimal("6")
    trainer_name = "Formadora externa"
    status = TrainingSession.Status.HELD
