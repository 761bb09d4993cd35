"""Scenarios of the surveys module: the satisfaction report for the last closed quarter and the
public survey page answered through invitation links (each request a distinct, open invitation,
as every customer answers their own), concurrent; and the same submissions as a scale-out write."""

import itertools
import secrets
import threading
from typing import Any

from bench.scenarios import Request, State, WriteCheck, concurrent_write, scenario

POOL = 12_000  # fresh invitations for the run: the concurrent phase and the scale-out phase


def last_closed_quarter() -> Any:
    from django.utils import timezone

    from clientela.core.periods import Period

    return Period.current_quarter(timezone.localdate()).previous()


def prepare(state: State) -> None:
    """Open invitations of the relationship survey, made now for the run (tokens are single use)."""
    import datetime as dt

    from django.utils import timezone

    from clientela.customers.models import Contact
    from clientela.surveys.models import Survey, SurveyInvitation

    if "survey_tokens" in state.data:
        return
    survey = (
        Survey.objects.filter(status=Survey.Status.PUBLISHED, counts_toward_sc=True)
        .select_related("current_version")
        .order_by("pk")
        .first()
    )
    questions = list(survey.current_version.questions.order_by("position"))
    contacts = list(
        Contact.objects.filter(
            archived_at__isnull=True,
            survey_opt_out_at__isnull=True,
            customer__status="active",
            customer__archived_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", "customer_id")[:POOL]
    )
    now = timezone.now()
    invitations = [
        SurveyInvitation(
            survey=survey,
            customer_id=customer_id,
            contact_id=contact_id,
            token=secrets.token_urlsafe(32),
            status=SurveyInvitation.Status.SENT,
            origin=SurveyInvitation.Origin.MANUAL,
            sent_at=now,
            expires_at=now + dt.timedelta(days=survey.invitation_days),
        )
        for n in range(POOL)
        for contact_id, customer_id in [contacts[n % len(contacts)]]
    ]
    SurveyInvitation.objects.bulk_create(invitations, batch_size=2000)
    state.data["survey_tokens"] = [i.token for i in invitations]
    state.data["survey_next"] = itertools.count()
    state.data["survey_used"] = {}
    state.data["survey_lock"] = threading.Lock()
    state.data["survey_answers"] = _answers(questions)


def _answers(questions: list) -> dict[str, Any]:
    """A complete set of answers (satisfied) for the survey's questions, as the form posts them."""
    answers: dict[str, Any] = {}
    for q in questions:
        name = f"q_{q.pk}"
        if q.kind in ("rating", "nps", "ces"):
            answers[name] = str(q.scale_max - 1)
        elif q.kind == "yes_no":
            answers[name] = "yes"
        elif q.kind in ("single_choice", "multiple_choice"):
            answers[name] = q.choices[0]
        else:
            answers[name] = ""
    return answers


def _text_question(state: State) -> str | None:
    names = [k for k, v in state.data["survey_answers"].items() if v == ""]
    return names[-1] if names else None


def submit(state: State, marker: str) -> tuple[Request, str]:
    """The POST of the next unused invitation, its comment carrying `marker`."""
    n = next(state.data["survey_next"])
    tokens = state.data["survey_tokens"]
    if n >= len(tokens):
        raise RuntimeError(f"only {len(tokens)} invitations were prepared for the run")
    token = tokens[n]
    data = dict(state.data["survey_answers"])
    comment = _text_question(state)
    if comment:
        data[comment] = f"Respuesta de carga {marker}"
    return Request("POST", state.url("survey_public:answer", token), data), token


@scenario("satisfaction_report", url_name="surveys:report")
def satisfaction_report(state: State, i: int) -> Request:
    return Request("GET", state.url("surveys:report") + f"?period={last_closed_quarter().label}")


@scenario("survey_submit", url_name="survey_public:answer", expect=302, prepare=prepare, concurrent=True)
def survey_submit(state: State, i: int) -> Request:
    request, _token = submit(state, f"rps-{i:06d}")
    return request


@concurrent_write("survey_submissions", url_name="survey_public:answer")
def survey_submissions(state: State) -> WriteCheck:
    from clientela.surveys.models import SurveyResponse

    prepare(state)
    used: dict[str, list[str]] = state.data["survey_used"]

    def request(i: int, tag: str) -> Request:
        made, token = submit(state, f"{tag}-{i:06d}")
        with state.data["survey_lock"]:
            used.setdefault(tag, []).append(token)
        return made

    def rows(tag: str):
        return SurveyResponse.objects.filter(invitation__token__in=used.get(tag, []))

    return WriteCheck(
        "survey responses",
        request,
        count=lambda tag: rows(tag).count(),
        distinct=lambda tag: rows(tag).values("invitation").distinct().count(),
    )
