"""The satisfaction report of a period (the process's "Informe de satisfacción del cliente"): the
figures, breakdowns, six-quarter trend with significant changes, p-chart and verbatim comments,
computed in a fixed number of queries and rendered as a page, a PDF and a workbook."""

import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from clientela.core import changes, pdf
from clientela.core.periods import Period, Ratio
from clientela.customers.models import Customer

from . import charts, selectors, statistics
from .models import Question, Survey

TREND_QUARTERS = 6
ANONYMOUS = "__anonymous__"
COMMENTS_LIMIT = 200


@dataclass
class Breakdown:
    label: str
    responses: int = 0
    sc_numerator: int = 0
    sc_denominator: int = 0
    sc_value: float | None = None
    sc_ci95: tuple[float, float] | None = None
    csat: float | None = None
    nps: float | None = None


@dataclass
class TrendPoint:
    period: Period
    provisional: bool
    sc_numerator: int
    sc_denominator: int
    sc_value: float | None
    sc_ci95: tuple[float, float] | None
    responses: int
    csat: float | None
    nps: float | None
    change: statistics.TestResult | None = None

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def direction(self) -> str:
        """ "up" / "down" for a significant change against the quarter before, else ""."""
        if self.change is None or not self.change.significant:
            return ""
        return "up" if self.change.difference > 0 else "down"


@dataclass
class SatisfactionReport:
    period: Period
    provisional: bool
    generated_at: dt.datetime
    start: dt.datetime
    end: dt.datetime
    sc: selectors.SCResult
    response_rate: selectors.RateFigure
    csat: selectors.CSATFigure
    nps: selectors.NPSFigure
    ces: selectors.CESFigure
    responses: int
    anonymous: int
    surveys: list[tuple[str, str, bool, int]]  # title, touchpoint label, counts toward SC, responses
    questions: list[selectors.QuestionResult]
    by_segment: list[Breakdown]
    by_touchpoint: list[Breakdown]
    by_manager: list[Breakdown]
    trend: list[TrendPoint]
    pchart: statistics.PChart
    comments: list[selectors.Comment]
    unsatisfied: list[tuple[int, str]] = field(default_factory=list)  # customers counted but not satisfied
    notes: list[str] = field(default_factory=list)

    @property
    def breakdowns(self) -> list[tuple[str, list[Breakdown]]]:
        return [
            (_("By segment"), self.by_segment),
            (_("By touchpoint"), self.by_touchpoint),
            (_("By account manager"), self.by_manager),
        ]


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _quarter_label(field: str, quarters: list[Period]) -> Case:
    """The label of the quarter (of `quarters`, consecutive, the rows already limited to their span)
    a moment falls in, compared in SQL against each quarter's end in the organisation's time zone:
    no per-row date function (on SQLite a Python call per row), one comparison per quarter."""
    return Case(
        *(When(**{f"{field}__lt": q.end_at}, then=Value(q.label)) for q in quarters),
        default=Value(""),
        output_field=CharField(),
    )


def _breakdowns(
    sc_counts: dict[Any, tuple[int, int]],
    response_counts: dict[Any, int],
    answer_counts: dict[Any, dict[str, Counter]],
    labels: dict[Any, str],
) -> list[Breakdown]:
    """sc_counts: group → (satisfied customers, customers counted) by their latest response in it."""
    keys = set(sc_counts) | set(response_counts)
    out = []
    for key in keys:
        numerator, denominator = sc_counts.get(key, (0, 0))
        ratio = Ratio(numerator, denominator)
        kinds = answer_counts.get(key, {})
        if labels.get(key):
            label = str(labels[key])
        else:
            label = _("(not set)") if key in (None, "") else str(key)
        out.append(
            Breakdown(
                label=label,
                responses=response_counts.get(key, 0),
                sc_numerator=numerator,
                sc_denominator=denominator,
                sc_value=ratio.value,
                sc_ci95=ratio.ci95,
                csat=statistics.csat(kinds.get(Question.Kind.RATING, Counter())).value,
                nps=statistics.nps(kinds.get(Question.Kind.NPS, Counter())).value,
            )
        )
    return sorted(out, key=lambda b: (-b.responses, b.label))


def _add(totals: dict[Any, tuple[int, int]], key: Any, numerator: int, denominator: int) -> None:
    before = totals.get(key, (0, 0))
    totals[key] = (before[0] + numerator, before[1] + denominator)


def satisfaction_report(*, period: Period, today: dt.date | None = None) -> SatisfactionReport:
    """The report of a period. That of a period that has ended is kept on the data version
    (`core.changes`), per language, and computed again only when the records change."""
    today = today or timezone.localdate()
    if not changes.settled(period, today):
        return _satisfaction_report(period=period, today=today)
    (data,) = changes.cached_many(
        "satisfaction-report",
        [(period, (period.label, translation.get_language()))],
        lambda p: _satisfaction_report(period=p, today=today),
    )
    return replace(data, generated_at=timezone.now())


def _satisfaction_report(*, period: Period, today: dt.date) -> SatisfactionReport:
    start, end = selectors.window(period, today)
    responses = selectors.responses_in(period, today, None, None)
    answers = selectors.answers_in(period, today)
    counting = selectors.counting_responses(period=period, today=today)
    anonymous = Q(customer__isnull=True)

    # Responses per survey: the survey table, the totals and the touchpoint breakdown.
    survey_rows = list(
        responses.values("survey_id", "survey__title", "survey__touchpoint", "survey__counts_toward_sc")
        .annotate(n=Count("id"), anonymous=Count("id", filter=anonymous))
        .order_by("-n", "survey__title", "survey_id")
    )
    touchpoints = dict(Survey.Touchpoint.choices)
    surveys = [
        (r["survey__title"], str(touchpoints.get(r["survey__touchpoint"], "")), r["survey__counts_toward_sc"], r["n"])
        for r in survey_rows
    ]
    touchpoint_of = {r["survey_id"]: r["survey__touchpoint"] for r in survey_rows}

    # Answers counted per question and number, once: the question tables, the period's CSAT, NPS
    # and CES, and the touchpoint breakdown's.
    numeric = selectors.numeric_answer_counts(answers)
    by_kind: dict[str, Counter] = defaultdict(Counter)
    by_touchpoint_kind: dict[Any, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for row in numeric:
        kind, number, n = row["question__kind"], row["number"], row["n"]
        if number is None:
            continue
        by_kind[kind][number] += n
        if kind in (Question.Kind.RATING, Question.Kind.NPS):
            by_touchpoint_kind[touchpoint_of.get(row["response__survey_id"])][kind][number] += n

    # Segment and account manager: a customer has one of each, so responses, answers and SC are
    # counted per (segment, manager) pair and added up per dimension; anonymous answers (open link)
    # have neither and form their own group.
    keys = {"segment": F("customer__segment"), "manager": F("customer__account_manager_id")}
    per_pair = responses.annotate(anon=Case(When(anonymous, then=Value(1)), default=Value(0))).values("anon", **keys)
    pair_responses = list(per_pair.annotate(n=Count("id")).order_by().values_list("anon", *keys, "n"))
    pair_answers = list(
        answers.filter(question__kind__in=[Question.Kind.RATING, Question.Kind.NPS])
        .annotate(
            anon=Case(When(response__customer__isnull=True, then=Value(1)), default=Value(0)),
            segment=F("response__customer__segment"),
            manager=F("response__customer__account_manager_id"),
        )
        .values("anon", "segment", "manager", "question__kind", "number")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("anon", "segment", "manager", "question__kind", "number", "n")
    )
    pair_sc = selectors.sc_grouped(counting, keys=keys)
    touchpoint_sc = {
        key[0]: counts
        for key, counts in selectors.sc_grouped(
            counting, keys={"touchpoint": F("survey__touchpoint")}, partition=["survey__touchpoint"]
        ).items()
    }

    manager_ids = {m for _a, _s, m, _n in pair_responses if m} | {m for (_s, m) in pair_sc if m}
    users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=manager_ids)}
    dimensions: dict[str, dict[str, Any]] = {}
    for name, index in (("segment", 0), ("manager", 1)):
        counts: Counter = Counter()
        for anon, segment, manager, n in pair_responses:
            counts[ANONYMOUS if anon else (segment, manager)[index]] += n
        kinds: dict[Any, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
        for anon, segment, manager, kind, number, n in pair_answers:
            kinds[ANONYMOUS if anon else (segment, manager)[index]][kind][number] += n
        sc_counts: dict[Any, tuple[int, int]] = {}
        for pair, (numerator, denominator) in pair_sc.items():
            _add(sc_counts, pair[index], numerator, denominator)
        dimensions[name] = {"sc": sc_counts, "responses": dict(counts), "kinds": kinds}
    touchpoint_responses: Counter = Counter()
    for row in survey_rows:
        touchpoint_responses[row["survey__touchpoint"]] += row["n"]
    dimensions["touchpoint"] = {
        "sc": touchpoint_sc,
        "responses": dict(touchpoint_responses),
        "kinds": by_touchpoint_kind,
    }
    label_sets = {
        "segment": {k: k for k in dimensions["segment"]["responses"]},
        "manager": {**users, None: _("No account manager")},
        "touchpoint": {k: str(v) for k, v in Survey.Touchpoint.choices},
    }
    breakdowns: dict[str, list[Breakdown]] = {}
    for name, data in dimensions.items():
        labels = dict(label_sets[name])
        labels[ANONYMOUS] = _("Anonymous (open link)")
        breakdowns[name] = _breakdowns(data["sc"], data["responses"], data["kinds"], labels)

    # Trend: the quarter of the report and the five before it, plus one more to compare the first.
    anchor = Period.current_quarter(period.cap(today)) if period.kind != "quarter" else period
    quarters = anchor.last(TREND_QUARTERS + 1)
    span = Period(quarters[0].start, quarters[-1].end, "span", f"{quarters[0]}–{quarters[-1]}")
    quarter = {"q": _quarter_label("submitted_at", quarters)}
    sc_per_quarter = {
        key[0]: counts
        for key, counts in selectors.sc_grouped(
            selectors.counting_responses(period=span, today=today).annotate(**quarter),
            keys={"q": F("q")},
            partition=["q"],
        ).items()
    }
    span_responses = selectors.responses_in(span, today, None, None)
    span_answers = selectors.answers_in(span, today)
    responses_per_quarter = {
        row["q"]: row["n"] for row in span_responses.annotate(**quarter).values("q").annotate(n=Count("id")).order_by()
    }
    scale_per_quarter: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for row in (
        span_answers.filter(question__kind__in=[Question.Kind.RATING, Question.Kind.NPS])
        .annotate(q=_quarter_label("response__submitted_at", quarters))
        .values("q", "question__kind", "number")
        .annotate(n=Count("id"))
        .order_by()
    ):
        scale_per_quarter[row["q"]][row["question__kind"]][row["number"]] += row["n"]
    points: list[TrendPoint] = []
    for each in quarters:
        numerator, denominator = sc_per_quarter.get(each.label, (0, 0))
        ratio = Ratio(numerator, denominator)
        kinds = scale_per_quarter.get(each.label, {})
        point = TrendPoint(
            period=each,
            provisional=each.is_provisional(today),
            sc_numerator=numerator,
            sc_denominator=denominator,
            sc_value=ratio.value,
            sc_ci95=ratio.ci95,
            responses=responses_per_quarter.get(each.label, 0),
            csat=statistics.csat(kinds.get(Question.Kind.RATING, Counter())).value,
            nps=statistics.nps(kinds.get(Question.Kind.NPS, Counter())).value,
        )
        if points:
            before = points[-1]
            point.change = statistics.two_proportion_test(
                before.sc_numerator, before.sc_denominator, numerator, denominator
            )
        points.append(point)
    trend = points[1:]
    pchart = statistics.p_chart([(p.label, p.sc_numerator, p.sc_denominator) for p in trend])

    sc = selectors.sc(period=period, today=today)
    unsatisfied_ids = set(sc.customer_ids) - set(sc.satisfied_ids)
    unsatisfied = list(Customer.objects.filter(pk__in=unsatisfied_ids).order_by("name").values_list("pk", "name"))
    notes = []
    if period.is_provisional(today):
        notes.append(_("The period has not ended: the figures are provisional and count answers up to today."))
    return SatisfactionReport(
        period=period,
        provisional=period.is_provisional(today),
        generated_at=timezone.now(),
        start=start,
        end=end,
        sc=sc,
        response_rate=selectors.response_rate(period=period, today=today),
        csat=selectors.csat_figure(period, by_kind[Question.Kind.RATING]),
        nps=selectors.nps_figure(period, by_kind[Question.Kind.NPS]),
        ces=selectors.ces_figure(period, by_kind[Question.Kind.CES]),
        responses=sum(r["n"] for r in survey_rows),
        anonymous=sum(r["anonymous"] for r in survey_rows),
        surveys=surveys,
        questions=selectors.question_results(responses, numeric, answers),
        by_segment=breakdowns["segment"],
        by_touchpoint=breakdowns["touchpoint"],
        by_manager=breakdowns["manager"],
        trend=trend,
        pchart=pchart,
        comments=selectors.comments(responses, limit=COMMENTS_LIMIT, answers=answers),
        unsatisfied=unsatisfied,
        notes=notes,
    )


# --- rendering --------------------------------------------------------------------------------


def render_pdf(data: SatisfactionReport, *, request: Any = None) -> bytes:
    """The report as a PDF (WeasyPrint, charts as server-rendered SVG)."""
    context = {
        "report": data,
        "pdf": True,
        "trend_svg": charts.trend_svg(data.trend, _("SC per quarter with its 95 % interval")),
        "pchart_svg": charts.pchart_svg(data.pchart, _("p-chart of SC per quarter")),
        "question_svgs": [
            (question, charts.bars_svg(question.rows, question.text) if question.rows else "")
            for question in data.questions
        ],
    }
    html = render_to_string("surveys/report_pdf.html", context, request=request)
    stylesheet = Path(finders.find("surveys/report_pdf.css")).read_text(encoding="utf-8")
    base_url = request.build_absolute_uri("/") if request is not None else settings.SITE_URL
    return pdf.write_pdf(html, base_url=base_url, stylesheets=[stylesheet])


def _cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value if not isinstance(value, str | Promise) else str(value))
    if isinstance(value, str | Promise):
        cell.data_type = "s"  # text stays text: a comment starting with "=" is never a formula
    elif isinstance(value, dt.datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    return cell


def _sheet(workbook: Any, title: str, header: list[Any], rows: list[list[Any]], widths: list[int]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def render_xlsx(data: SatisfactionReport) -> bytes:
    """The report's figures as a workbook, one sheet per part, for whoever wants to recompute them."""
    from openpyxl import Workbook  # 30 MB with what it loads: only a process that writes one pays

    workbook = Workbook(write_only=True)

    def ci(values: tuple[float, float] | None, index: int) -> float | None:
        return values[index] if values else None

    _sheet(
        workbook,
        _("Summary"),
        [_("Figure"), _("Value"), _("Numerator"), _("Denominator"), _("95 % interval, low"), _("95 % interval, high")],
        [
            [_("Period"), data.period.label, None, None, None, None],
            [_("Provisional"), _("Yes") if data.provisional else _("No"), None, None, None, None],
            [
                _("SC (%)"),
                data.sc.value,
                data.sc.numerator,
                data.sc.denominator,
                ci(data.sc.ci95, 0),
                ci(data.sc.ci95, 1),
            ],
            [
                _("Response rate (%)"),
                data.response_rate.value,
                data.response_rate.numerator,
                data.response_rate.denominator,
                ci(data.response_rate.ci95, 0),
                ci(data.response_rate.ci95, 1),
            ],
            [
                _("CSAT (%)"),
                data.csat.value,
                data.csat.numerator,
                data.csat.denominator,
                ci(data.csat.ci95, 0),
                ci(data.csat.ci95, 1),
            ],
            [_("CSAT mean (1–5)"), data.csat.mean, None, data.csat.denominator, None, None],
            [
                _("NPS (−100 to 100)"),
                data.nps.value,
                None,
                data.nps.total,
                None,
                None,
            ],
            [_("CES mean (1–7)"), data.ces.mean, None, data.ces.total, None, None],
            [_("Complete responses"), data.responses, None, None, None, None],
            [_("Anonymous responses"), data.anonymous, None, None, None, None],
        ],
        [30, 14, 12, 12, 18, 18],
    )
    _sheet(
        workbook,
        _("Trend"),
        [
            _("Quarter"),
            _("Customers counted"),
            _("Satisfied customers"),
            _("SC (%)"),
            _("95 % interval, low"),
            _("95 % interval, high"),
            _("Change (points)"),
            _("p-value"),
            _("Test"),
            _("Significant"),
            _("Responses"),
            _("CSAT (%)"),
            _("NPS"),
        ],
        [
            [
                p.label + (" *" if p.provisional else ""),
                p.sc_denominator,
                p.sc_numerator,
                p.sc_value,
                ci(p.sc_ci95, 0),
                ci(p.sc_ci95, 1),
                p.change.difference if p.change else None,
                round(p.change.p_value, 4) if p.change else None,
                (_("Fisher's exact test") if p.change.method == "fisher" else _("two-proportion z-test"))
                if p.change
                else None,
                (_("Yes") if p.change.significant else _("No")) if p.change else None,
                p.responses,
                p.csat,
                p.nps,
            ]
            for p in data.trend
        ],
        [12, 12, 12, 10, 12, 12, 12, 10, 22, 12, 12, 10, 10],
    )
    _sheet(
        workbook,
        _("p-chart"),
        [
            _("Quarter"),
            _("SC (%)"),
            _("Centre line p̄"),
            _("Lower control limit"),
            _("Upper control limit"),
            _("Outside the limits"),
        ],
        [
            [p.label, p.p, data.pchart.centre, p.lcl, p.ucl, _("Yes") if p.out_of_control else _("No")]
            for p in data.pchart.points
        ],
        [12, 10, 14, 14, 14, 14],
    )
    for title, rows in data.breakdowns:
        _sheet(
            workbook,
            title,
            [
                _("Group"),
                _("Responses"),
                _("Customers counted"),
                _("Satisfied customers"),
                _("SC (%)"),
                _("CSAT (%)"),
                _("NPS"),
            ],
            [[b.label, b.responses, b.sc_denominator, b.sc_numerator, b.sc_value, b.csat, b.nps] for b in rows],
            [30, 12, 12, 12, 10, 10, 10],
        )
    _sheet(
        workbook,
        _("Questions"),
        [_("Survey"), _("No."), _("Question"), _("Kind"), _("Answer"), _("Count"), _("%")],
        [
            [q.survey, q.position, q.text, q.kind_label, row.label, row.count, row.percent]
            for q in data.questions
            for row in (q.rows or [selectors.DistributionRow(_("(free text)"), q.texts, None)])
        ],
        [30, 6, 50, 22, 24, 10, 10],
    )
    _sheet(
        workbook,
        _("Comments"),
        [_("Answered at"), _("Survey"), _("Customer"), _("Headline score"), _("Question"), _("Comment")],
        [[c.at, c.survey, c.customer, c.score, c.question, c.text] for c in data.comments],
        [18, 30, 30, 10, 40, 80],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
