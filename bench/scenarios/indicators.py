"""Scenarios of the indicators module: the dashboard and the API for the last closed quarter (with
the hand-written SQL of CCT and SC, SPEC §4, to compare with) and the management review's PDF."""

from typing import Any

from bench.scenarios import Request, State, scenario
from bench.scenarios.surveys import last_closed_quarter


def prepare(state: State) -> None:
    """The quarter measured, and a management review of it in preparation (its PDF is drawn from
    the live data, the expensive case; an approved review serves its stored PDF)."""
    from bench.common import BENCH_USER
    from clientela.accounts.models import User
    from clientela.indicators import services
    from clientela.indicators.models import ManagementReview

    if "review_id" in state.data:
        return
    period = last_closed_quarter()
    state.data["quarter"] = period
    review = ManagementReview.objects.filter(period=period.label).first()
    if review is None:
        review = services.review_create(actor=User.objects.get(username=BENCH_USER), period=period)
    state.data["review_id"] = review.pk


def _moment(state: State, value: Any) -> Any:
    """A period bound as the database stores it (SQLite: naive UTC text; PostgreSQL: aware)."""
    import datetime as dt

    if state.vendor == "sqlite":
        return str(value.astimezone(dt.UTC).replace(tzinfo=None))
    return value


def indicators_sql(state: State) -> list[tuple[str, list[Any]]]:
    """CCT and SC of the quarter exactly as SPEC §4 defines them, written by hand."""
    period = state.data["quarter"]
    cct = """
        SELECT COUNT(*), COALESCE(SUM(CASE WHEN missed = 0 THEN 1 ELSE 0 END), 0) FROM (
            SELECT d.contract_id,
                   SUM(CASE WHEN EXISTS (
                       SELECT 1 FROM contracts_delivery v
                       WHERE v.deliverable_id = d.id AND v.conforming AND v.delivered_on <= d.due_date
                         AND v.archived_at IS NULL
                   ) THEN 0 ELSE 1 END) AS missed
            FROM contracts_deliverable d
            JOIN contracts_contract c ON c.id = d.contract_id
            WHERE d.due_date >= %s AND d.due_date <= %s AND d.status <> 'cancelled'
              AND c.status NOT IN ('draft', 'cancelled')
            GROUP BY d.contract_id
        ) per_contract
    """
    sc = """
        SELECT COUNT(*), COALESCE(SUM(CASE WHEN headline_value >= satisfied_min THEN 1 ELSE 0 END), 0) FROM (
            SELECT r.headline_value, q.satisfied_min,
                   ROW_NUMBER() OVER (PARTITION BY r.customer_id ORDER BY r.submitted_at DESC, r.id DESC) AS nth
            FROM surveys_surveyresponse r
            JOIN surveys_survey s ON s.id = r.survey_id
            JOIN surveys_question q ON q.id = r.headline_question_id
            WHERE r.archived_at IS NULL AND r.complete AND s.counts_toward_sc
              AND r.customer_id IS NOT NULL AND r.headline_value IS NOT NULL
              AND r.submitted_at >= %s AND r.submitted_at < %s
        ) latest
        WHERE nth = 1
    """
    return [
        (cct, [period.start, period.end]),
        (sc, [_moment(state, period.start_at), _moment(state, period.end_at)]),
    ]


@scenario("indicators_quarter", url_name="indicators:dashboard", prepare=prepare)
def indicators_quarter(state: State, i: int) -> Request:
    return Request("GET", state.url("indicators:dashboard") + f"?period={state.data['quarter'].label}")


@scenario("indicators_api", url_name="api-indicators", prepare=prepare, raw_sql=indicators_sql)
def indicators_api(state: State, i: int) -> Request:
    return Request(
        "GET",
        state.url("api-indicators") + f"?period={state.data['quarter'].label}",
        headers={"Accept": "application/json"},
    )


@scenario("review_pdf", url_name="indicators:review_pdf", prepare=prepare)
def review_pdf(state: State, i: int) -> Request:
    return Request("GET", state.url("indicators:review_pdf", state.data["review_id"]))
