"""Test setup for surveys: published surveys built through the services, and helpers to answer them."""

import datetime as dt
from typing import Any

from django.utils import timezone

from clientela.surveys import services
from clientela.surveys.models import Question, Survey, SurveyResponse

RATING = {"kind": "rating", "text": "¿Qué tan satisfecho está con nuestro servicio?", "is_headline": True}
NPS = {"kind": "nps", "text": "¿Recomendaría nuestra empresa?", "required": False}
COMMENT = {"kind": "text", "text": "¿Qué podemos mejorar?", "required": False}


def make_survey(
    actor: Any = None,
    *,
    questions: list[dict[str, Any]] | None = None,
    publish: bool = True,
    **data: Any,
) -> Survey:
    fields = {"title": "Satisfacción con la entrega", "touchpoint": "delivery", "counts_toward_sc": True} | data
    survey = services.survey_create(
        actor=actor, data=fields, questions=questions if questions is not None else [RATING, NPS, COMMENT]
    )
    if publish:
        survey = services.survey_publish(actor=actor, survey=survey)
    return survey


def question(survey: Survey, position: int) -> Question:
    return survey.current_version.questions.get(position=position)


def answer(
    survey: Survey,
    *,
    score: int | None = None,
    customer: Any = None,
    contact: Any = None,
    at: dt.datetime | None = None,
    actor: Any = None,
    extra: dict[int, Any] | None = None,
    complete: bool = True,
    channel: str = SurveyResponse.Channel.PHONE,
) -> SurveyResponse:
    """A staff-entered response: the headline (position 1) scored `score`, plus answers by position."""
    raw: dict[int, Any] = {}
    if score is not None:
        raw[question(survey, 1).pk] = score
    for position, value in (extra or {}).items():
        raw[question(survey, position).pk] = value
    return services.response_record(
        actor=actor,
        survey=survey,
        raw=raw,
        submitted_at=at or timezone.now() - dt.timedelta(hours=1),
        channel=channel,
        customer=customer,
        contact=contact,
        complete=complete,
        version=survey.current_version,
    )
