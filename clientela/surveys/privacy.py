"""What the surveys module holds about a person, for data-subject requests: their invitations and
answers. Erasure keeps each response for the statistics (the customer, the scores and when) but no
longer links it to the person, and blanks their free-text comments, which may name them."""

from typing import Any

from django.utils.translation import gettext_lazy

from clientela.privacy.providers import PersonalDataProvider, Subject, plain

from .models import Answer, Question, SurveyResponse


def export_responses(subject: Subject) -> list[dict[str, Any]]:
    rows = []
    responses = (
        SurveyResponse.objects.filter(contact__in=subject.contacts)
        .select_related("survey")
        .prefetch_related("answers__question")
        .order_by("submitted_at")
    )
    for response in responses:
        rows.append(
            {
                "record": "survey_response",
                "survey": response.survey.title,
                **plain(response, ["submitted_at", "channel"]),
            }
        )
        for item in response.answers.all():
            value = item.value if isinstance(item.value, str | int | float | bool | type(None)) else str(item.value)
            rows.append(
                {
                    "record": "survey_answer",
                    "survey": response.survey.title,
                    "question": item.question.text,
                    "answer": value,
                }
            )
    return rows


def anonymise_responses(subject: Subject, actor: Any) -> int:
    responses = SurveyResponse.objects.filter(contact__in=subject.contacts)
    changed = Answer.objects.filter(response__in=responses, question__kind=Question.Kind.TEXT).update(value="")
    changed += responses.update(contact=None)
    return changed


provider = PersonalDataProvider("surveys", gettext_lazy("Satisfaction surveys"), export_responses, anonymise_responses)
