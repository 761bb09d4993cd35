"""SC exactly as SPEC §4 defines it, rule by rule, and the other satisfaction figures of a period."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clientela.core.periods import Period
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.surveys import selectors, services
from clientela.surveys.tests.factories import COMMENT, NPS, RATING, answer, make_survey

pytestmark = pytest.mark.django_db

Q2 = Period.parse("2025-Q2")
TODAY = dt.date(2025, 9, 1)
MADRID = ZoneInfo("Europe/Madrid")


def at(month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=MADRID)


def rule_counts(s, c):
    answer(s["sc"], score=5, customer=c, at=at(5, 10))


def rule_incomplete(s, c):
    answer(s["sc"], score=None, customer=c, at=at(5, 10), complete=False, extra={2: 9})


def rule_before_the_period(s, c):
    answer(s["sc"], score=5, customer=c, at=at(3, 31, 23))


def rule_after_the_period(s, c):
    answer(s["sc"], score=5, customer=c, at=at(7, 1, 0))


def rule_first_and_last_instant(s, c):
    answer(s["sc"], score=5, customer=c, at=at(4, 1, 0))
    answer(s["sc"], score=2, customer=CustomerFactory(), at=dt.datetime(2025, 6, 30, 23, 59, 59, tzinfo=MADRID))


def rule_survey_not_counting(s, c):
    answer(s["other"], score=5, customer=c, at=at(5, 10))


def rule_anonymous(s, c):
    answer(s["sc"], score=5, customer=None, at=at(5, 10))


def rule_no_headline_answer(s, c):
    answer(s["optional"], score=None, customer=c, at=at(5, 10), extra={2: "Todo bien"})


def rule_latest_unsatisfied_wins(s, c):
    answer(s["sc"], score=5, customer=c, at=at(4, 10))
    answer(s["sc"], score=2, customer=c, at=at(6, 10))


def rule_latest_satisfied_wins(s, c):
    answer(s["sc"], score=5, customer=c, at=at(6, 10))
    answer(s["sc"], score=1, customer=c, at=at(4, 10))  # entered later, answered earlier


def rule_latest_across_surveys(s, c):
    answer(s["sc"], score=5, customer=c, at=at(4, 10))
    answer(s["nps"], score=3, customer=c, at=at(5, 10))


def rule_withdrawn(s, c):
    response = answer(s["sc"], score=5, customer=c, at=at(5, 10))
    services.response_void(actor=None, response=response, note="Introducida por error")


def rule_two_customers(s, c):
    answer(s["sc"], score=4, customer=c, at=at(5, 10))
    answer(s["sc"], score=3, customer=CustomerFactory(), at=at(5, 11))


def rule_not_yet_answered_today(s, c):
    # Backdated "today" in the middle of the period: a later answer does not count yet.
    answer(s["sc"], score=5, customer=c, at=at(5, 10))
    answer(s["sc"], score=5, customer=CustomerFactory(), at=at(6, 20))


@pytest.mark.parametrize("score,expected", [(3, (0, 1)), (4, (1, 1)), (5, (1, 1))])
def test_on_a_one_to_five_scale_satisfied_starts_at_four(surveys, score, expected):
    answer(surveys["sc"], score=score, customer=CustomerFactory(), at=at(5, 10))
    result = selectors.sc(period=Q2, today=TODAY)
    assert (result.numerator, result.denominator) == expected


@pytest.mark.parametrize(("kind", "low", "high"), [("ces", 5, 6), ("nps", 6, 7), ("rating", 3, 4)])
def test_satisfied_min_defaults_per_scale(kind, low, high):
    survey = make_survey(questions=[{"kind": kind, "text": "Pregunta principal", "is_headline": True}])
    answer(survey, score=low, customer=CustomerFactory(), at=at(5, 10))
    answer(survey, score=high, customer=CustomerFactory(), at=at(5, 10))
    result = selectors.sc(period=Q2, today=TODAY)
    assert (result.numerator, result.denominator) == (1, 2)


def test_an_explicit_satisfied_min_is_honoured():
    survey = make_survey(questions=[{**RATING, "satisfied_min": 5}])
    answer(survey, score=4, customer=CustomerFactory(), at=at(5, 10))
    assert selectors.sc(period=Q2, today=TODAY).numerator == 0


@pytest.fixture
def surveys():
    return {
        "sc": make_survey(),
        "nps": make_survey(
            title="Relación trimestral", questions=[{"kind": "nps", "text": "¿Nos recomendaría?", "is_headline": True}]
        ),
        "other": make_survey(title="Encuesta interna", counts_toward_sc=False),
        "optional": make_survey(title="Opcional", questions=[{**RATING, "required": False}, COMMENT]),
    }


CASES = {
    "a complete response in the period counts": (rule_counts, TODAY, (1, 1, 100.0)),
    "an incomplete response does not count": (rule_incomplete, TODAY, (0, 0, None)),
    "a response before the period does not count": (rule_before_the_period, TODAY, (0, 0, None)),
    "a response after the period does not count": (rule_after_the_period, TODAY, (0, 0, None)),
    "the period's first and last instants count": (rule_first_and_last_instant, TODAY, (1, 2, 50.0)),
    "a survey not counting toward SC does not count": (rule_survey_not_counting, TODAY, (0, 0, None)),
    "an anonymous response does not count": (rule_anonymous, TODAY, (0, 0, None)),
    "a response without the headline answer does not count": (rule_no_headline_answer, TODAY, (0, 0, None)),
    "the latest response counts (now unsatisfied)": (rule_latest_unsatisfied_wins, TODAY, (0, 1, 0.0)),
    "the latest response by submitted_at counts": (rule_latest_satisfied_wins, TODAY, (1, 1, 100.0)),
    "the latest response counts across surveys and scales": (rule_latest_across_surveys, TODAY, (0, 1, 0.0)),
    "a withdrawn response does not count": (rule_withdrawn, TODAY, (0, 0, None)),
    "customers are counted once each": (rule_two_customers, TODAY, (1, 2, 50.0)),
    "an open period counts up to today": (rule_not_yet_answered_today, dt.date(2025, 6, 1), (1, 1, 100.0)),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_sc_rules(surveys, case):
    setup, today, expected = CASES[case]
    customer = CustomerFactory()
    setup(surveys, customer)
    result = selectors.sc(period=Q2, today=today)
    assert (result.numerator, result.denominator, result.value) == expected
    assert len(result.customer_ids) == result.denominator and len(result.satisfied_ids) == result.numerator
    assert result.ci95 == (selectors.Ratio(*expected[:2]).ci95)


def test_no_data_means_no_value():
    result = selectors.sc(period=Q2, today=TODAY)
    assert (result.numerator, result.denominator, result.value, result.ci95) == (0, 0, None, None)
    assert result.customer_ids == () and not result.provisional


def test_the_result_names_the_customers_behind_it(surveys):
    happy, unhappy = CustomerFactory(), CustomerFactory()
    answer(surveys["sc"], score=5, customer=happy, at=at(5, 1))
    answer(surveys["sc"], score=2, customer=unhappy, at=at(5, 1))
    result = selectors.sc(period=Q2, today=TODAY)
    assert set(result.customer_ids) == {happy.pk, unhappy.pk} and result.satisfied_ids == (happy.pk,)
    assert result.value == 50.0 and result.ci95 == (9.45, 90.55)


def test_a_period_not_ended_is_provisional(surveys):
    assert selectors.sc(period=Q2, today=dt.date(2025, 5, 1)).provisional


def test_sc_by_segment_and_account_manager(surveys, users):
    mine = CustomerFactory(segment="Salud", account_manager=users["account_manager"])
    other = CustomerFactory(segment="Industria", account_manager=users["bob"])
    answer(surveys["sc"], score=5, customer=mine, at=at(5, 1))
    answer(surveys["sc"], score=1, customer=other, at=at(5, 1))
    assert selectors.sc(period=Q2, today=TODAY, segment="Salud").value == 100.0
    assert selectors.sc(period=Q2, today=TODAY, account_manager=users["bob"].pk).value == 0.0
    assert selectors.sc(period=Q2, today=TODAY, segment="Turismo").value is None


def test_sc_needs_one_query_whatever_the_data(surveys, django_assert_num_queries):
    for score in (5, 2, 4):
        answer(surveys["sc"], score=score, customer=CustomerFactory(), at=at(5, 3))
    with django_assert_num_queries(1):
        small = selectors.sc(period=Q2, today=TODAY)
    for n in range(30):
        customer = CustomerFactory()
        answer(surveys["sc"], score=1 + n % 5, customer=customer, at=at(4, 1 + n % 28))
        answer(surveys["sc"], score=5, customer=customer, at=at(6, 1 + n % 28))
    with django_assert_num_queries(1):
        large = selectors.sc(period=Q2, today=TODAY)
    assert small.denominator == 3 and large.denominator == 33 and large.numerator == 32


def test_nps_csat_ces_and_response_rate_of_a_period(users):
    survey = make_survey(
        questions=[RATING, NPS, {"kind": "ces", "text": "¿Qué tan fácil fue?", "required": False}, COMMENT]
    )
    customer = CustomerFactory(segment="Salud")
    for score, nps_value, ces_value in ((5, 10, 7), (4, 9, 6), (2, 3, 2), (3, 7, 5)):
        answer(survey, score=score, customer=customer, at=at(5, 2), extra={2: nps_value, 3: ces_value})
    answer(survey, score=5, customer=None, at=at(5, 2), extra={2: 0})  # anonymous: in the results
    csat = selectors.csat(period=Q2, today=TODAY)
    assert (csat.numerator, csat.denominator, csat.value, csat.mean) == (3, 5, 60.0, 3.8)
    nps = selectors.nps(period=Q2, today=TODAY)
    assert (nps.promoters, nps.passives, nps.detractors, nps.value) == (2, 1, 2, 0.0)
    assert selectors.nps(period=Q2, today=TODAY, segment="Salud").value == 25.0
    ces = selectors.ces(period=Q2, today=TODAY)
    assert (ces.total, ces.mean, ces.scale_min, ces.scale_max) == (4, 5.0, 1, 7)
    assert selectors.response_rate(period=Q2, today=TODAY).value is None


def test_response_rate_counts_invitations_of_the_period(users, time_machine):
    survey = make_survey()
    time_machine.move_to(at(5, 1))
    contacts = [ContactFactory() for _ in range(4)]
    invitations = [services.invitation_create(actor=users["quality"], survey=survey, contact=c) for c in contacts]
    services.response_submit(invitation=invitations[0], raw={survey.current_version.questions.get(position=1).pk: 5})
    services.invitation_cancel(actor=users["quality"], invitation=invitations[3])
    rate = selectors.response_rate(period=Q2, today=TODAY)
    assert (rate.numerator, rate.denominator, rate.value) == (1, 3, 33.33)


def reference_sc(rows, start, end):
    """SPEC §4 written as plainly as possible, over in-memory rows."""
    latest = {}
    for row in rows:
        counts = (
            row["complete"]
            and start <= row["at"] < end
            and row["counting"]
            and row["customer"] is not None
            and row["score"] is not None
        )
        if counts and (row["customer"] not in latest or row["at"] > latest[row["customer"]]["at"]):
            latest[row["customer"]] = row
    satisfied = [c for c, row in latest.items() if row["score"] >= 4]
    return len(satisfied), len(latest)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sc_agrees_with_a_plain_reference_on_random_data(surveys, seed):
    import random

    rng = random.Random(seed)
    customers = [CustomerFactory() for _ in range(6)]
    rows = []
    used = set()
    for _ in range(25):
        customer = rng.choice([*customers, None])
        moment = dt.datetime(2025, rng.randint(3, 7), rng.randint(1, 28), rng.randint(8, 18), tzinfo=MADRID)
        if (customer, moment) in used:
            continue
        used.add((customer, moment))
        counting = rng.random() < 0.8
        complete = rng.random() < 0.85
        score = rng.randint(1, 5)
        survey = surveys["sc"] if counting else surveys["other"]
        if complete:
            answer(survey, score=score, customer=customer, at=moment)
        else:  # only the NPS answered: stored incomplete, without the headline
            answer(survey, score=None, customer=customer, at=moment, complete=False, extra={2: 5})
        rows.append(
            {
                "customer": customer.pk if customer else None,
                "at": moment,
                "counting": counting,
                "complete": complete,
                "score": score if complete else None,
            }
        )
    result = selectors.sc(period=Q2, today=TODAY)
    assert (result.numerator, result.denominator) == reference_sc(rows, Q2.start_at, Q2.end_at)
