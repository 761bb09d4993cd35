"""The satisfaction report: figures, breakdowns, six-quarter trend with significant changes, p-chart,
comments; as a page, a PDF (text extracted with pypdf) and a workbook."""

import datetime as dt
import io
import time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from clientela.core.periods import Period
from clientela.customers.tests.factories import CustomerFactory
from clientela.surveys import report
from clientela.surveys.tests.factories import answer, make_survey

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
TODAY = dt.date(2026, 11, 20)


def moment(year: int, month: int, day: int = 15) -> dt.datetime:
    return dt.datetime(year, month, day, 11, tzinfo=MADRID)


@pytest.fixture
def history(users, time_machine):
    """Six quarters: SC 90 %, 90 %, 60 % (a significant fall), 90 %, then a small provisional quarter."""
    time_machine.move_to(dt.datetime(2026, 11, 20, 12, tzinfo=MADRID))
    survey = make_survey(users["quality"], title="Relación trimestral", touchpoint="periodic")
    other = make_survey(users["quality"], title="Entrega", counts_toward_sc=False)
    segments = ["Salud", "Industria"]
    plan = {(2025, 8): 9, (2025, 11): 9, (2026, 2): 6, (2026, 5): 9, (2026, 8): 9}
    customers = [
        CustomerFactory(segment=segments[n % 2], account_manager=users["account_manager" if n % 2 else "bob"])
        for n in range(40)
    ]
    for (year, month), satisfied in plan.items():
        for n in range(40):
            score = 5 if n % 10 < satisfied else 2
            answer(
                survey, score=score, customer=customers[n], at=moment(year, month), extra={2: 9 if score == 5 else 4}
            )
    answer(survey, score=5, customer=customers[0], at=moment(2026, 11, 2), extra={3: "Muy buen trato del equipo"})
    answer(survey, score=1, customer=customers[1], at=moment(2026, 11, 3), extra={3: "=SUMA(A1) no es una fórmula"})
    answer(survey, score=4, customer=None, at=moment(2026, 11, 4))
    answer(other, score=5, customer=customers[2], at=moment(2026, 11, 5))
    return survey


def test_the_report_of_a_quarter(history):
    data = report.satisfaction_report(period=Period.parse("2026-Q3"), today=TODAY)
    assert (data.sc.numerator, data.sc.denominator, data.sc.value) == (36, 40, 90.0)
    assert data.sc.ci95 == (76.95, 96.04)
    assert data.responses == 40 and data.anonymous == 0 and not data.provisional
    assert data.csat.value == 90.0 and data.nps.value == 80.0
    assert [p.label for p in data.trend] == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert [p.sc_value for p in data.trend] == [None, 90.0, 90.0, 60.0, 90.0, 90.0]
    assert [p.direction for p in data.trend] == ["", "", "", "down", "up", ""]
    assert data.trend[3].change.method == "z" and data.trend[3].change.p_value < 0.05
    assert [p.label for p in data.pchart.points] == [p.label for p in data.trend]
    segments = {b.label: (b.sc_numerator, b.sc_denominator) for b in data.by_segment}
    assert segments == {"Salud": (20, 20), "Industria": (16, 20)}
    touchpoints = {b.label: b.responses for b in data.by_touchpoint}
    assert touchpoints == {"Relación periódica": 40}
    assert sum(b.sc_denominator for b in data.by_manager) == 40


def test_an_open_quarter_is_provisional_and_counts_anonymous_answers_only_in_results(history):
    data = report.satisfaction_report(period=Period.parse("2026-Q4"), today=TODAY)
    assert data.provisional and data.notes
    assert (data.sc.numerator, data.sc.denominator) == (1, 2)
    assert data.responses == 4 and data.anonymous == 1
    assert [c.text for c in data.comments] == ["=SUMA(A1) no es una fórmula", "Muy buen trato del equipo"]
    assert data.unsatisfied and len(data.unsatisfied) == 1
    assert data.trend[-1].provisional and data.trend[-1].change.method == "fisher"


def test_the_report_needs_a_fixed_number_of_queries(history, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):  # an open quarter: always computed
        report.satisfaction_report(period=Period.parse("2026-Q4"), today=TODAY)
    with django_assert_max_num_queries(15 + 1):  # an ended one, not kept yet: and the data version
        report.satisfaction_report(period=Period.parse("2026-Q3"), today=TODAY)


def test_the_pdf_renders_quickly_and_contains_the_figures(history):
    data = report.satisfaction_report(period=Period.parse("2026-Q3"), today=TODAY)
    started = time.perf_counter()
    pdf = report.render_pdf(data)
    elapsed = time.perf_counter() - started
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert pdf[:5] == b"%PDF-" and elapsed < 10
    assert "2026-Q3" in text and "PSC 004" in text
    assert "90,00" in text
    assert "76,95" in text
    assert "2026-Q1" in text and "descenso significativo" in text and "subida significativa" in text


def test_the_workbook_has_every_part(history):
    data = report.satisfaction_report(period=Period.parse("2026-Q4"), today=TODAY)
    book = load_workbook(io.BytesIO(report.render_xlsx(data)))
    assert len(book.sheetnames) == 8
    summary = book.worksheets[0]
    rows = {row[0]: row[1:] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert any(values[0] == 50.0 and values[1] == 1 and values[2] == 2 for values in rows.values())
    comments = book.worksheets[-1]
    cell = next(c for c in comments["F"] if c.value and str(c.value).startswith("=SUMA"))
    assert cell.data_type == "s"


def test_report_pages_and_downloads(client_as, history, time_machine):
    client = client_as("management")
    page = client.get(reverse("surveys:report"), {"period": "2026-Q3"})
    assert page.status_code == 200 and "data-chart" in page.text and "trend-chart-cfg" in page.text
    assert "<script>" not in page.text
    pdf = client.get(reverse("surveys:report_pdf"), {"period": "2026-Q3"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(reverse("surveys:report_xlsx"), {"period": "2026"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bad = client.get(reverse("surveys:report"), {"period": "2026-Q9"})
    assert bad.status_code == 400 and "2026-Q9" in bad.text
    assert client.get(reverse("surveys:report_pdf"), {"period": "nonsense"}).status_code == 404


def test_a_period_without_data_renders(client_as):
    page = client_as("quality").get(reverse("surveys:report"), {"period": "2019-Q1"})
    assert page.status_code == 200
    data = report.satisfaction_report(period=Period.parse("2019-Q1"), today=TODAY)
    assert data.sc.value is None and report.render_pdf(data)[:5] == b"%PDF-"


def test_anonymous_answers_form_their_own_group_in_the_breakdowns(history):
    data = report.satisfaction_report(period=Period.parse("2026-Q4"), today=TODAY)
    segments = {b.label: b for b in data.by_segment}
    managers = {b.label: b for b in data.by_manager}
    assert segments["Anónimas (enlace abierto)"].responses == 1
    assert segments["Anónimas (enlace abierto)"].sc_denominator == 0
    assert managers["Anónimas (enlace abierto)"].responses == 1
    assert "(sin indicar)" not in segments


def test_the_report_of_an_ended_quarter_is_kept_until_its_answers_change(
    history, users, django_capture_on_commit_callbacks, django_assert_num_queries
):
    q3 = Period.parse("2026-Q3")
    with django_capture_on_commit_callbacks(execute=True):
        first = report.satisfaction_report(period=q3, today=TODAY)
    with django_assert_num_queries(1):  # the data version; the report comes from the cache
        again = report.satisfaction_report(period=q3, today=TODAY)
    assert (again.sc.numerator, again.sc.denominator) == (first.sc.numerator, first.sc.denominator) == (36, 40)
    assert again.generated_at >= first.generated_at
    with translation.override("en"):  # the kept report is per language
        english = report.satisfaction_report(period=q3, today=TODAY)
    assert {b.label for b in english.by_touchpoint} == {"Periodic relationship"}
    answer(history, score=1, customer=CustomerFactory(), at=moment(2026, 8, 20))  # a late-loaded answer of Q3
    with django_capture_on_commit_callbacks(execute=True):
        changed = report.satisfaction_report(period=q3, today=TODAY)
    assert (changed.sc.numerator, changed.sc.denominator) == (36, 41)
