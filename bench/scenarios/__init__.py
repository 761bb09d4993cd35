"""Benchmark scenarios: the issue's table of keys and budgets, and one module per Clientela module
that registers how each of its scenarios is requested.

The keys and budgets (at scale L) are a contract and live here, in ``BUDGETS``. A module makes its
scenarios measurable by dropping a file in this package (``feedback.py``, ``indicators.py``…)::

    from bench.scenarios import Request, State, scenario

    @scenario("complaints_inbox", url_name="feedback:inbox")
    def complaints_inbox(state: State, i: int) -> Request:
        return Request("GET", state.url("feedback:inbox") + "?status=open")

Contract of a scenario:

- ``url_name``: the page it measures. While that URL does not exist (the module is not built
  yet) the runner skips the scenario and says so.
- The decorated function builds request ``i`` (0, 1, 2…): method, path, form fields. A POST
  gets the CSRF token added. ``expect`` is the status that counts as success (a form that saves
  answers 302).
- ``prepare(state)`` (optional) runs once in the runner process, with Django set up on the bench
  database, before the server is measured: pick record ids, build unique data; store in
  ``state.data``.
- ``raw_sql(state)`` (optional) returns the hand-written SQL the page needs, as
  ``[(sql, params), …]`` for ``state.vendor``; the runner times it directly on the database and
  reports the ratio of the page's median to it.
- ``concurrent=True`` makes it a throughput row: several clients at once for a fixed time.

The scale-out phase (4 app processes against 1 on PostgreSQL) drives concurrent *writes*. A module
adds its kind of write (survey submissions, complaint intake…) with ``@concurrent_write(key,
url_name=…)`` on a function ``(state) -> WriteCheck`` that says how to make write ``i`` and how to
count what the writes produced, so the runner can prove nothing was lost or duplicated.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Budget:
    what: str
    median_ms: float | None = None
    p95_ms: float | None = None
    rps: float | None = None
    raw_ratio: float | None = None

    def as_dict(self) -> dict[str, float]:
        return {
            k: v
            for k, v in (
                ("median_ms", self.median_ms),
                ("p95_ms", self.p95_ms),
                ("rps", self.rps),
                ("raw_ratio", self.raw_ratio),
            )
            if v is not None
        }


# Issue #9: scenario keys and budgets at scale L (medians unless said). Every page also: ≤ 15 SQL
# queries per request, the same at XS and L (MAX_QUERIES).
BUDGETS: dict[str, Budget] = {
    "customer_list": Budget("customer list page 1, no filter", median_ms=20),
    "customer_search": Budget("list filtered by a name fragment (~500 hits)", median_ms=40),
    "customer_360": Budget("customer page with timeline", median_ms=40),
    "customer_create": Budget("POST the create form", median_ms=20),
    "complaints_inbox": Budget("open complaints, at risk first", median_ms=30),
    "api_customers": Budget("GET /api/v1/customers/?page_size=100", median_ms=40),
    "indicators_quarter": Budget("indicator dashboard for a quarter", median_ms=150),
    "indicators_api": Budget("GET /api/v1/indicators/?period=…", median_ms=100, raw_ratio=2),
    "satisfaction_report": Budget("satisfaction report page for a quarter", median_ms=400),
    "review_pdf": Budget("management review PDF", median_ms=3000),
    "survey_submit": Budget("public survey submit, concurrent", rps=150, p95_ms=100),
    "customer_list_rps": Budget("customer list, concurrent", rps=150),
}
MAX_QUERIES = 15
MAX_RSS_MB = 150
MAX_GENERATE_S = 120  # scale L on SQLite


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    data: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class State:
    """What scenarios share in the runner: the database vendor, Django's URL reversing, their data."""

    vendor: str  # "sqlite" | "postgresql"
    scale: str
    data: dict[str, Any] = field(default_factory=dict)

    def url(self, name: str, *args: Any) -> str:
        from django.urls import reverse

        return reverse(name, args=args)


@dataclass(frozen=True)
class WriteCheck:
    """How the scale-out phase checks one kind of concurrent write.

    `request(i, tag)` builds write number `i` of run `tag`; `count(tag)` counts the rows the run's
    writes produced (by the unique marker each write carries) and `distinct(tag)` the distinct
    markers among them: after the run both must equal the writes acknowledged.
    """

    label: str
    request: Callable[[int, str], Request]
    count: Callable[[str], int]
    distinct: Callable[[str], int]
    expect: int = 302


@dataclass(frozen=True)
class Scenario:
    key: str
    url_name: str
    build: Callable[[State, int], Request]
    expect: int = 200
    prepare: Callable[[State], None] | None = None
    raw_sql: Callable[[State], list[tuple[str, list[Any]]]] | None = None
    concurrent: bool = False

    @property
    def budget(self) -> Budget:
        return BUDGETS[self.key]


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    key: str,
    *,
    url_name: str,
    expect: int = 200,
    prepare: Callable[[State], None] | None = None,
    raw_sql: Callable[[State], list[tuple[str, list[Any]]]] | None = None,
    concurrent: bool = False,
) -> Callable[[Callable[[State, int], Request]], Callable[[State, int], Request]]:
    if key not in BUDGETS:
        raise ValueError(f"unknown scenario {key!r}: add it to BUDGETS with the issue's budget first")

    def register(build: Callable[[State, int], Request]) -> Callable[[State, int], Request]:
        SCENARIOS[key] = Scenario(key, url_name, build, expect, prepare, raw_sql, concurrent)
        return build

    return register


@dataclass(frozen=True)
class ConcurrentWrite:
    key: str
    url_name: str
    check: Callable[[State], WriteCheck]


WRITES: dict[str, ConcurrentWrite] = {}


def concurrent_write(key: str, *, url_name: str) -> Callable[[Callable[[State], WriteCheck]], Callable]:
    def register(check: Callable[[State], WriteCheck]) -> Callable[[State], WriteCheck]:
        WRITES[key] = ConcurrentWrite(key, url_name, check)
        return check

    return register


def discover() -> dict[str, Scenario]:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return {key: SCENARIOS[key] for key in BUDGETS if key in SCENARIOS}
