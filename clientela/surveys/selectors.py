"""Reads of the surveys module: the SC indicator exactly as SPEC §4 defines it, NPS, CSAT, CES and
response rate for any period, live results of a survey, and what the customer 360° page shows.

Every indicator here answers in a fixed number of queries whatever the amount of data.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.periods import Period, Ratio
from clientela.core.permissions import QUALITY, has_perm, roles_of
from clientela.core.registry import HeadlineFigure, TimelineEntry
from clientela.customers.models import Contact, Customer

from . import statistics
from .exports import MAX_QUESTION_COLUMNS
from .models import SCALES, Answer, FollowUp, Question, Survey, SurveyInvitation, SurveyResponse

# --- the period window ------------------------------------------------------------------------


def window(period: Period, today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of what counts in `period`: an open period counts only up to the end of today."""
    cap = period.cap(today)
    end = dt.datetime.combine(cap + dt.timedelta(days=1), dt.time.min, tzinfo=period.tz)
    return period.start_at, max(period.start_at, min(end, period.end_at))


def _in_period(
    period: Period, today: dt.date | None, segment: str | None, account_manager: int | None, prefix: str
) -> Q:
    start, end = window(period, today)
    q = Q(
        **{
            f"{prefix}archived_at__isnull": True,
            f"{prefix}complete": True,
            f"{prefix}submitted_at__gte": start,
            f"{prefix}submitted_at__lt": end,
        }
    )
    if segment is not None:
        q &= Q(**{f"{prefix}customer__segment": segment})
    if account_manager is not None:
        q &= Q(**{f"{prefix}customer__account_manager_id": account_manager})
    return q


def responses_in(
    period: Period, today: dt.date | None, segment: str | None, account_manager: int | None
) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(_in_period(period, today, segment, account_manager, ""))


def answers_in(
    period: Period, today: dt.date | None, segment: str | None = None, account_manager: int | None = None
) -> QuerySet[Answer]:
    """The answers of `responses_in(...)`, filtered through the join (not `response IN (…)`), so the
    database reads the period's responses and their answers from the two covering indexes."""
    return Answer.objects.filter(_in_period(period, today, segment, account_manager, "response__"))


def counting_responses(
    *, period: Period, today: dt.date | None = None, segment: str | None = None, account_manager: int | None = None
) -> QuerySet[SurveyResponse]:
    """Responses that count toward SC in the period (SPEC §4): complete, submitted in P, of a survey
    that counts toward SC, by a known customer, with an answer to the headline question."""
    return responses_in(period, today, segment, account_manager).filter(
        survey__counts_toward_sc=True,
        customer__isnull=False,
        headline_question__isnull=False,
        headline_value__isnull=False,
    )


# --- SC ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SCResult:
    """% satisfied customers in a period, with the customers behind the figure."""

    period: Period
    provisional: bool
    numerator: int
    denominator: int
    value: float | None
    ci95: tuple[float, float] | None
    customer_ids: tuple[int, ...] = ()
    satisfied_ids: tuple[int, ...] = ()


def _satisfied() -> Case:
    """1 when the response's headline score is ≥ its question's `satisfied_min`, else 0."""
    return Case(
        When(headline_value__gte=F("headline_question__satisfied_min"), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def latest_counting(
    responses: QuerySet[SurveyResponse], *, keys: dict[str, Any], partition: Iterable[str] = ()
) -> tuple[str, tuple[Any, ...]]:
    """SQL (and its parameters) of the latest response of each customer among `responses` — per
    customer and `partition` key, newest `submitted_at` first, the highest id breaking ties — with
    the columns `keys` (name → expression), `customer_id` and `satisfied` (1 or 0).

    Ranked by a window function in the database, so a period's responses never travel to Python."""
    latest = Window(
        RowNumber(),
        partition_by=[F("customer_id"), *(F(k) for k in partition)],
        order_by=[F("submitted_at").desc(), F("pk").desc()],
    )
    qs = (
        responses.annotate(**keys, satisfied=_satisfied(), latest=latest)
        .filter(latest=1)
        .order_by()
        .values(*keys, "customer_id", "satisfied")
    )
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def sc_grouped(
    responses: QuerySet[SurveyResponse], *, keys: dict[str, Any], partition: Iterable[str] = ()
) -> dict[tuple[Any, ...], tuple[int, int]]:
    """SC's numerator and denominator per group of `keys` (one query): customers counted in the
    group by their latest counting response in it (see `latest_counting`)."""
    sql, params = latest_counting(responses, keys=keys, partition=partition)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(k) for k in keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, SUM({quote('satisfied')}), COUNT(*) FROM ({sql}) latest GROUP BY {columns}",  # noqa: S608 (names are ours)
            params,
        )
        return {tuple(row[: len(keys)]): (int(row[-2]), int(row[-1])) for row in cursor.fetchall()}


def sc(
    *, period: Period, today: dt.date | None = None, segment: str | None = None, account_manager: int | None = None
) -> SCResult:
    """SC = customers whose latest counting response in P scores ≥ the headline question's
    `satisfied_min`, over customers with a counting response in P, × 100 (one query: the latest
    response per customer is picked by a window function, one row per customer comes back)."""
    sql, params = latest_counting(
        counting_responses(period=period, today=today, segment=segment, account_manager=account_manager), keys={}
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = sorted(cursor.fetchall())
    counted = tuple(customer_id for customer_id, _satisfied in rows)
    satisfied = tuple(customer_id for customer_id, is_satisfied in rows if is_satisfied)
    ratio = Ratio(len(satisfied), len(counted))
    return SCResult(
        period=period,
        provisional=period.is_provisional(today),
        numerator=len(satisfied),
        denominator=len(counted),
        value=ratio.value,
        ci95=ratio.ci95,
        customer_ids=counted,
        satisfied_ids=satisfied,
    )


# --- NPS, CSAT, CES, response rate ------------------------------------------------------------


@dataclass(frozen=True)
class NPSFigure:
    period: Period
    promoters: int
    passives: int
    detractors: int
    total: int
    value: float | None


@dataclass(frozen=True)
class CSATFigure:
    period: Period
    numerator: int  # answers in the top two boxes
    denominator: int  # answers
    value: float | None
    ci95: tuple[float, float] | None
    mean: float | None  # on 1–5


@dataclass(frozen=True)
class CESFigure:
    period: Period
    total: int
    mean: float | None
    scale_min: int = 1
    scale_max: int = 7


@dataclass(frozen=True)
class RateFigure:
    period: Period
    numerator: int  # invitations answered
    denominator: int  # invitations sent (not cancelled)
    value: float | None
    ci95: tuple[float, float] | None


def _counts(
    kind: str, period: Period, today: dt.date | None, segment: str | None, account_manager: int | None
) -> dict[int, int]:
    answers = answers_in(period, today, segment, account_manager).filter(question__kind=kind, number__isnull=False)
    return {row["number"]: row["n"] for row in answers.values("number").annotate(n=Count("id")).order_by()}


def nps_figure(period: Period, counts: Mapping[int, int]) -> NPSFigure:
    result = statistics.nps(counts)
    return NPSFigure(period, result.promoters, result.passives, result.detractors, result.total, result.value)


def csat_figure(period: Period, counts: Mapping[int, int]) -> CSATFigure:
    ratio = statistics.csat(counts)
    mean = statistics.mean_score(counts, 1, 5).mean
    return CSATFigure(period, ratio.numerator, ratio.denominator, ratio.value, ratio.ci95, mean)


def ces_figure(period: Period, counts: Mapping[int, int]) -> CESFigure:
    result = statistics.ces(counts)
    return CESFigure(period, result.total, result.mean)


def nps(
    *, period: Period, today: dt.date | None = None, segment: str | None = None, account_manager: int | None = None
) -> NPSFigure:
    """NPS of every 0–10 answer in complete responses of P (anonymous ones included unless filtered)."""
    return nps_figure(period, _counts(Question.Kind.NPS, period, today, segment, account_manager))


def csat(
    *, period: Period, today: dt.date | None = None, segment: str | None = None, account_manager: int | None = None
) -> CSATFigure:
    """CSAT (% of 1–5 answers that are 4 or 5) of complete responses in P, with the mean."""
    return csat_figure(period, _counts(Question.Kind.RATING, period, today, segment, account_manager))


def ces(
    *, period: Period, today: dt.date | None = None, segment: str | None = None, account_manager: int | None = None
) -> CESFigure:
    """CES: the mean 1–7 ease answer of complete responses in P."""
    return ces_figure(period, _counts(Question.Kind.CES, period, today, segment, account_manager))


def response_rate(
    *, period: Period, today: dt.date | None = None, segment: str | None = None, account_manager: int | None = None
) -> RateFigure:
    """Invitations made in P (cancelled ones aside) that were answered by the end of P (or today)."""
    start, end = window(period, today)
    qs = SurveyInvitation.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=SurveyInvitation.Status.CANCELLED
    )
    if segment is not None:
        qs = qs.filter(customer__segment=segment)
    if account_manager is not None:
        qs = qs.filter(customer__account_manager_id=account_manager)
    totals = qs.aggregate(
        sent=Count("id"),
        answered=Count("id", filter=Q(status=SurveyInvitation.Status.RESPONDED, responded_at__lt=end)),
    )
    ratio = Ratio(totals["answered"], totals["sent"])
    return RateFigure(period, ratio.numerator, ratio.denominator, ratio.value, ratio.ci95)


# --- distributions ----------------------------------------------------------------------------


@dataclass
class DistributionRow:
    label: str
    count: int
    percent: float | None


@dataclass
class QuestionResult:
    """The answers to one question (merged across versions while its wording stays the same)."""

    survey: str
    position: int
    text: str
    kind: str
    kind_label: str
    total: int
    rows: list[DistributionRow] = field(default_factory=list)
    mean: float | None = None
    nps: float | None = None
    csat: float | None = None
    texts: int = 0


def _pct(count: int, total: int) -> float | None:
    return round(count / total * 100, 2) if total else None


QUESTION_KEYS = (
    "response__survey__title",
    "response__survey_id",
    "question__position",
    "question__text",
    "question__kind",
)


def numeric_answer_counts(answers: QuerySet[Answer]) -> list[dict[str, Any]]:
    """Answers in `responses` counted per question and number (free texts only counted: their
    number is empty), one query; the rows `question_results` and the report's totals start from."""
    text = Q(question__kind=Question.Kind.TEXT)
    return list(
        answers.filter(Q(number__isnull=False) | text)
        .values(*QUESTION_KEYS, "number")
        .annotate(n=Count("id"))
        .order_by()
    )


def question_results(
    responses: QuerySet[SurveyResponse],
    numeric: list[dict[str, Any]] | None = None,
    answers: QuerySet[Answer] | None = None,
) -> list[QuestionResult]:
    """Per-question distributions of the answers in `responses` — or `answers`, the same answers
    filtered another way — (two queries; one when the `numeric_answer_counts` rows are given)."""
    if answers is None:
        answers = Answer.objects.filter(response__in=responses)
    key_fields = QUESTION_KEYS
    text = Q(question__kind=Question.Kind.TEXT)
    # Counted in the database, grouped by answer: scale answers by number, free texts only counted
    # (their number is empty), options by the option (or set of options) chosen.
    if numeric is None:
        numeric = numeric_answer_counts(answers)
    other = (
        answers.filter(number__isnull=True)
        .exclude(text)
        .values_list(*key_fields, "question__choices", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    blocks: dict[tuple, dict[str, Any]] = {}

    def block(title: str, survey_id: int, position: int, text: str, kind: str) -> dict[str, Any]:
        key = (title, survey_id, position, text, kind)
        return blocks.setdefault(key, {"counts": Counter(), "choices": [], "texts": 0})

    for row in numeric:
        data = block(*(row[f] for f in key_fields))
        if row["question__kind"] == Question.Kind.TEXT:
            data["texts"] += row["n"]
        else:
            data["counts"][row["number"]] += row["n"]
    for title, survey_id, position, question, kind, choices, value, n in other:
        data = block(title, survey_id, position, question, kind)
        for option in choices or []:
            if option not in data["choices"]:
                data["choices"].append(option)
        data.setdefault("answered", 0)
        data["answered"] += n
        for item in value if isinstance(value, list) else [value]:
            data["counts"][item] += n
    kinds = dict(Question.Kind.choices)
    results = []
    for (title, _survey_id, position, text, kind), data in sorted(
        blocks.items(), key=lambda i: (i[0][0], i[0][1], i[0][2])
    ):
        counts: Counter = data["counts"]
        if kind in SCALES:
            low, high, _satisfied = SCALES[kind]
            total = sum(counts.values())
            result = QuestionResult(title, position, text, kind, str(kinds[kind]), total)
            result.rows = [
                DistributionRow(str(v), counts.get(v, 0), _pct(counts.get(v, 0), total)) for v in range(low, high + 1)
            ]
            result.mean = statistics.mean_score(counts, low, high).mean
            if kind == Question.Kind.NPS:
                result.nps = statistics.nps(counts).value
            if kind == Question.Kind.RATING:
                result.csat = statistics.csat(counts).value
        elif kind == Question.Kind.YES_NO:
            total = sum(counts.values())
            result = QuestionResult(title, position, text, kind, str(kinds[kind]), total)
            result.rows = [
                DistributionRow(_("Yes"), counts.get(1, 0), _pct(counts.get(1, 0), total)),
                DistributionRow(_("No"), counts.get(0, 0), _pct(counts.get(0, 0), total)),
            ]
        elif kind == Question.Kind.TEXT:
            result = QuestionResult(title, position, text, kind, str(kinds[kind]), data["texts"], texts=data["texts"])
        else:
            # Percentages of respondents (several options may be chosen).
            total = data.get("answered", 0)
            options = data["choices"] + [o for o in counts if o not in data["choices"]]
            result = QuestionResult(title, position, text, kind, str(kinds[kind]), total)
            result.rows = [DistributionRow(str(o), counts.get(o, 0), _pct(counts.get(o, 0), total)) for o in options]
        results.append(result)
    return results


@dataclass(frozen=True)
class Comment:
    at: dt.datetime
    survey: str
    question: str
    text: str
    customer: str
    customer_id: int | None
    response_id: int
    score: int | None
    scale_max: int | None
    satisfied: bool | None


def comments(
    responses: QuerySet[SurveyResponse], limit: int = 100, answers: QuerySet[Answer] | None = None
) -> list[Comment]:
    """The customers' own words (free-text answers), newest first, in one query."""
    if answers is None:
        answers = Answer.objects.filter(response__in=responses)
    rows = (
        answers.filter(question__kind=Question.Kind.TEXT)
        .exclude(value="")
        .select_related("question", "response__survey", "response__customer", "response__headline_question")
        .order_by("-response__submitted_at", "-response_id", "question__position")[:limit]
    )
    out = []
    for answer in rows:
        response = answer.response
        headline = response.headline_question
        out.append(
            Comment(
                at=response.submitted_at,
                survey=response.survey.title,
                question=answer.question.text,
                text=str(answer.value),
                customer=response.customer.name if response.customer_id else _("Anonymous"),
                customer_id=response.customer_id,
                response_id=response.pk,
                score=response.headline_value,
                scale_max=headline.scale_max if headline else None,
                satisfied=(response.headline_value >= headline.satisfied_min)
                if headline and response.headline_value is not None and headline.satisfied_min is not None
                else None,
            )
        )
    return out


# --- lists and records ------------------------------------------------------------------------


def survey_list(*, user: Any, include_archived: bool = False) -> QuerySet[Survey]:
    responses = (
        SurveyResponse.objects.filter(survey=OuterRef("pk"), archived_at__isnull=True, complete=True)
        .order_by()
        .values("survey")
        .annotate(n=Count("id"))
        .values("n")
    )
    invitations = (
        SurveyInvitation.objects.filter(survey=OuterRef("pk"))
        .exclude(status=SurveyInvitation.Status.CANCELLED)
        .order_by()
        .values("survey")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = Survey.objects.select_related("current_version").annotate(
        response_count=Subquery(responses), invitation_count=Subquery(invitations)
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def survey_get(*, user: Any, pk: int) -> Survey:
    return get_object_or_404(Survey.objects.select_related("current_version", "created_by"), pk=pk)


def survey_versions(survey: Survey) -> list[Any]:
    return list(survey.versions.annotate(response_count=Count("responses")).select_related("published_by"))


def version_questions(version: Any) -> list[Question]:
    if version is None:
        return []
    return list(version.questions.select_related("show_if_question").order_by("position"))


def invitation_list(*, user: Any) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.select_related("survey", "customer", "contact", "created_by")


def invitation_get(*, user: Any, pk: int) -> SurveyInvitation:
    return get_object_or_404(invitation_list(user=user), pk=pk)


def response_list(*, user: Any, include_voided: bool = False) -> QuerySet[SurveyResponse]:
    qs = SurveyResponse.objects.select_related(
        "survey", "version", "customer", "contact", "headline_question", "entered_by"
    )
    if not include_voided:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def response_get(*, user: Any, pk: int) -> SurveyResponse:
    return get_object_or_404(response_list(user=user, include_voided=True).select_related("invitation"), pk=pk)


def response_answers(response: SurveyResponse) -> list[tuple[Question, Answer | None]]:
    """Every question of the version the response answered, with its answer (or None if skipped)."""
    answers = {a.question_id: a for a in response.answers.all()}
    return [(q, answers.get(q.pk)) for q in response.version.questions.order_by("position")]


def followup_list(*, user: Any) -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related(
        "customer", "assigned_to", "response__survey", "response__headline_question", "response__contact"
    )


def followup_get(*, user: Any, pk: int) -> FollowUp:
    return get_object_or_404(followup_list(user=user).select_related("closed_by"), pk=pk)


def my_followups(*, user: Any) -> QuerySet[FollowUp]:
    """Open follow-ups of the user; the quality team also sees those of customers without a manager."""
    mine = Q(assigned_to=user)
    if QUALITY in roles_of(user):
        mine |= Q(assigned_to__isnull=True)
    return followup_list(user=user).filter(mine).exclude(status=FollowUp.Status.CLOSED)


def contacts_of(customer: Any) -> list[Any]:
    return list(
        Contact.objects.filter(customer=customer, archived_at__isnull=True).order_by(
            "-is_primary", "last_name", "first_name"
        )
    )


def customer_choices() -> QuerySet:
    return Customer.objects.filter(archived_at__isnull=True).order_by("name")


def surveys_accepting() -> QuerySet[Survey]:
    return Survey.objects.filter(
        status=Survey.Status.PUBLISHED, archived_at__isnull=True, current_version__isnull=False
    ).order_by("title")


def surveys_with_version() -> QuerySet[Survey]:
    """Surveys that can receive answers from staff: published now or closed after being published."""
    return Survey.objects.filter(archived_at__isnull=True, current_version__isnull=False).order_by("title")


# --- live results -----------------------------------------------------------------------------


@dataclass
class LiveResults:
    survey: Survey
    signature: str
    invited: int
    answered_invitations: int
    rate: float | None
    responses: int
    anonymous: int
    incomplete: int
    headline: Question | None
    headline_rows: list[DistributionRow]
    headline_satisfied: float | None
    nps: statistics.NPSResult
    csat: Ratio
    ces: statistics.MeanScore
    latest: list[Comment]
    questions: list[QuestionResult]
    last_at: dt.datetime | None


def live_signature(survey: Survey) -> str:
    """Changes whenever a response arrives, is withdrawn, or an invitation is made (two queries)."""
    responses = SurveyResponse.objects.filter(survey=survey).aggregate(
        n=Count("id"), last=Max("pk"), voided=Count("id", filter=Q(archived_at__isnull=False))
    )
    invitations = SurveyInvitation.objects.filter(survey=survey).aggregate(n=Count("id"), last=Max("updated_at"))
    last_change = invitations["last"].timestamp() if invitations["last"] else 0
    return f"{responses['n']}-{responses['last'] or 0}-{responses['voided']}-{invitations['n']}-{last_change:.0f}"


def live_results(survey: Survey) -> LiveResults:
    responses = SurveyResponse.objects.filter(survey=survey, archived_at__isnull=True)
    complete = responses.filter(complete=True)
    totals = responses.aggregate(
        n_all=Count("id"),
        n_complete=Count("id", filter=Q(complete=True)),
        n_anonymous=Count("id", filter=Q(complete=True, customer__isnull=True)),
        last=Max("submitted_at"),
    )
    invitations = SurveyInvitation.objects.filter(survey=survey).exclude(status=SurveyInvitation.Status.CANCELLED)
    inv = invitations.aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(status=SurveyInvitation.Status.RESPONDED))
    )
    headline = None
    if survey.current_version_id:
        headline = survey.current_version.questions.filter(is_headline=True).first()
    headline_rows: list[DistributionRow] = []
    satisfied_share = None
    if headline is not None:
        counts = {
            row["headline_value"]: row["n"]
            for row in complete.filter(headline_question__kind=headline.kind, headline_value__isnull=False)
            .values("headline_value")
            .annotate(n=Count("id"))
            .order_by()
        }
        total = sum(counts.values())
        headline_rows = [
            DistributionRow(str(v), counts.get(v, 0), _pct(counts.get(v, 0), total)) for v in headline.scale_values
        ]
        satisfied = sum(
            n for v, n in counts.items() if headline.satisfied_min is not None and v >= headline.satisfied_min
        )
        satisfied_share = _pct(satisfied, total)
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for row in (
        Answer.objects.filter(response__in=complete, question__kind__in=list(SCALES), number__isnull=False)
        .values("question__kind", "number")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_kind[row["question__kind"]][row["number"]] += row["n"]
    rate = Ratio(inv["answered"], inv["invited"])
    return LiveResults(
        survey=survey,
        signature=live_signature(survey),
        invited=inv["invited"],
        answered_invitations=inv["answered"],
        rate=rate.value,
        responses=totals["n_complete"],
        anonymous=totals["n_anonymous"],
        incomplete=totals["n_all"] - totals["n_complete"],
        headline=headline,
        headline_rows=headline_rows,
        headline_satisfied=satisfied_share,
        nps=statistics.nps(by_kind[Question.Kind.NPS]),
        csat=statistics.csat(by_kind[Question.Kind.RATING]),
        ces=statistics.ces(by_kind[Question.Kind.CES]),
        latest=comments(complete, limit=8),
        questions=question_results(complete),
        last_at=totals["last"],
    )


# --- customer 360° ---------------------------------------------------------------------------


def _score_tone(value: int | None, question: Question | None) -> str:
    if value is None or question is None or question.satisfied_min is None:
        return "neutral"
    return "good" if value >= question.satisfied_min else "bad"


def responses_timeline(*, customer: Any, user: Any, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    first_comment = (
        Answer.objects.filter(response=OuterRef("pk"), question__kind=Question.Kind.TEXT)
        .exclude(value="")
        .order_by("question__position")
        .values("value")[:1]
    )
    qs = (
        SurveyResponse.objects.filter(customer=customer, archived_at__isnull=True)
        .select_related("survey", "contact", "headline_question")
        .annotate(comment=Subquery(first_comment, output_field=JSONField()))
    )
    if before is not None:
        qs = qs.filter(submitted_at__lt=before)
    entries = []
    for response in qs.order_by("-submitted_at", "-pk")[:limit]:
        question = response.headline_question
        badge = (
            f"{response.headline_value}/{question.scale_max}"
            if question and response.headline_value is not None
            else ""
        )
        if not response.complete:
            badge = _("incomplete")
        entries.append(
            TimelineEntry(
                at=response.submitted_at,
                kind="survey",
                kind_label=gettext_lazy("Survey response"),
                title=response.survey.title,
                url=reverse("surveys:response", args=[response.pk]),
                summary=str(response.comment or ""),
                actor=f"{response.contact or ''} · {response.get_channel_display()}".strip(" ·"),
                badge=badge,
                badge_tone=_score_tone(response.headline_value, question) if response.complete else "warning",
            )
        )
    return entries


def followups_timeline(*, customer: Any, user: Any, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    qs = FollowUp.objects.filter(customer=customer, archived_at__isnull=True).select_related(
        "assigned_to", "response__survey"
    )
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    tones = {FollowUp.Status.OPEN: "bad", FollowUp.Status.IN_PROGRESS: "warning", FollowUp.Status.CLOSED: "good"}
    return [
        TimelineEntry(
            at=followup.created_at,
            kind="followup",
            kind_label=gettext_lazy("Satisfaction follow-up"),
            title=_("Follow up the answer to “%(survey)s”") % {"survey": followup.response.survey.title},
            url=reverse("surveys:followup", args=[followup.pk]),
            summary=followup.resolution[:300],
            actor=str(followup.assigned_to or ""),
            badge=followup.get_status_display(),
            badge_tone=tones.get(followup.status, "neutral"),
        )
        for followup in qs.order_by("-created_at", "-pk")[:limit]
    ]


def customer_figures(*, customer: Any, user: Any) -> list[HeadlineFigure]:
    """“Last satisfaction score” on the 360° page (one query)."""
    last = (
        SurveyResponse.objects.filter(
            customer=customer, archived_at__isnull=True, complete=True, headline_value__isnull=False
        )
        .select_related("headline_question", "survey")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    label = gettext_lazy("Last satisfaction score")
    if last is None:
        return [HeadlineFigure(label, "—", "neutral", hint=gettext_lazy("No survey answered yet"))]
    question = last.headline_question
    return [
        HeadlineFigure(
            label,
            f"{last.headline_value}/{question.scale_max}",
            _score_tone(last.headline_value, question),
            url=reverse("surveys:response", args=[last.pk]),
            hint=f"{timezone.localtime(last.submitted_at):%d/%m/%Y} · {last.survey.title}",
        )
    ]


def customer_panel(*, customer: Any, user: Any) -> dict[str, Any]:
    responses = list(
        SurveyResponse.objects.filter(customer=customer)
        .select_related("survey", "contact", "headline_question")
        .order_by("-submitted_at", "-pk")[:20]
    )
    invitations = list(
        SurveyInvitation.objects.filter(customer=customer)
        .select_related("survey", "contact")
        .order_by("-created_at")[:10]
    )
    followups = list(
        FollowUp.objects.filter(customer=customer)
        .select_related("assigned_to", "response__survey")
        .order_by("-created_at")[:10]
    )
    return {
        "responses": responses,
        "invitations": invitations,
        "followups": followups,
        "can_invite": has_perm(user, "surveys.invite", customer),
        "record_in": list(surveys_with_version()) if has_perm(user, "surveys.respond", customer) else [],
    }


def home_followups(*, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    open_ones = my_followups(user=user)
    counts = open_ones.aggregate(total=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    context: dict[str, Any] = {"followups": list(open_ones.order_by("due_date", "pk")[:6]), "counts": counts}
    if has_perm(user, "surveys.followup", Customer(account_manager_id=None)):
        # Whoever may work any customer's follow-ups also sees how many are open in the organisation.
        context["everyone"] = (
            FollowUp.objects.exclude(status=FollowUp.Status.CLOSED)
            .filter(archived_at__isnull=True)
            .aggregate(total=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
        )
    return context


def max_question_position() -> int:
    return min(Question.objects.aggregate(n=Max("position"))["n"] or 0, MAX_QUESTION_COLUMNS)


def survey_totals(survey: Survey) -> dict[str, Any]:
    """Headline counts of one survey for its page (two queries)."""
    totals = SurveyResponse.objects.filter(survey=survey, archived_at__isnull=True).aggregate(
        responses=Count("id", filter=Q(complete=True)),
        anonymous=Count("id", filter=Q(complete=True, customer__isnull=True)),
        incomplete=Count("id", filter=Q(complete=False)),
    )
    invitations = (
        SurveyInvitation.objects.filter(survey=survey)
        .exclude(status=SurveyInvitation.Status.CANCELLED)
        .aggregate(sent=Count("id"), answered=Count("id", filter=Q(status=SurveyInvitation.Status.RESPONDED)))
    )
    totals.update(invitations)
    totals["rate"] = Ratio(invitations["answered"], invitations["sent"]).value
    return totals
