"""Ledger invariants under any sequence of operations (hypothesis state machine): the balance is the
sum of the entries, it is never negative, a redemption succeeds exactly when the points are there,
and expiry recorded once is never recorded again."""

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from clientela.core.errors import DomainError
from clientela.loyalty import ledger, selectors, services
from clientela.loyalty.models import EarningRule, Membership, PointsEntry
from clientela.loyalty.tests.factories import (
    MembershipFactory,
    RewardFactory,
    RuleFactory,
    contract,
    programme_with_tiers,
)

T0 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
COSTS = (50, 120, 400, 1500)
_ids = itertools.count(1)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        programme = programme_with_tiers(points_validity_months=6, max_adjustment=5000)
        self.rule = RuleFactory(programme=programme, event=EarningRule.Event.CONTRACT_SIGNED, points_per_unit=1)
        self.member = MembershipFactory(programme=programme)
        self.rewards = {cost: RewardFactory(programme=programme, points_cost=cost) for cost in COSTS}
        self.now = T0
        self.open_redemptions: list = []
        self.earned = 0

    def advance(self, days: int) -> dt.datetime:
        self.now += dt.timedelta(days=days, minutes=1)
        return self.now

    def available(self) -> int:
        state = ledger.lots_at(ledger.ledger_for(self.member), self.now)
        return state.balance - state.to_expire

    @rule(value=st.integers(min_value=0, max_value=3000), days=st.integers(min_value=0, max_value=45))
    def earn_for_a_contract(self, value: int, days: int) -> None:
        at = self.advance(days)
        source = contract(next(_ids))
        entry = services.points_earn(
            actor=None, membership=self.member, rule=self.rule, value=value, source=source, at=at
        )
        again = services.points_earn(
            actor=None, membership=self.member, rule=self.rule, value=value, source=source, at=at
        )
        assert (entry is None and again is None) or entry.pk == again.pk
        self.earned += value

    @rule(cost=st.sampled_from(COSTS), days=st.integers(min_value=0, max_value=45))
    def redeem(self, cost: int, days: int) -> None:
        self.advance(days)
        available = self.available()
        try:
            redemption = services.redemption_create(
                actor=None, membership=self.member, reward=self.rewards[cost], at=self.now
            )
        except DomainError:
            assert cost > available
        else:
            assert cost <= available
            self.open_redemptions.append(redemption)

    @rule(points=st.integers(min_value=-3000, max_value=3000).filter(bool), days=st.integers(min_value=0, max_value=45))
    def adjust(self, points: int, days: int) -> None:
        self.advance(days)
        available = self.available()
        try:
            services.points_adjust(
                actor=None, membership=self.member, points=points, reason="Ajuste de prueba", at=self.now
            )
        except DomainError:
            assert points < 0 and -points > available

    @precondition(lambda self: self.open_redemptions)
    @rule(data=st.data())
    def cancel_a_redemption(self, data: st.DataObject) -> None:
        redemption = data.draw(st.sampled_from(self.open_redemptions))
        self.open_redemptions.remove(redemption)
        self.advance(1)
        services.redemption_transition(actor=None, redemption=redemption, to="cancelled", at=self.now)

    @rule(days=st.integers(min_value=0, max_value=200))
    def run_expiry_twice(self, days: int) -> None:
        at = self.advance(days)
        services.points_expire_due(membership=self.member, at=at)
        assert services.points_expire_due(membership=self.member, at=at) is None

    @invariant()
    def balance_is_the_sum_of_the_entries_and_never_negative(self) -> None:
        values = list(PointsEntry.objects.filter(membership=self.member).values_list("points", flat=True))
        annotated = selectors.with_points(Membership.objects.filter(pk=self.member.pk), self.now).get()
        assert ledger.balance_of(self.member) == sum(values) == annotated.balance
        assert sum(values) >= 0
        running = 0
        for entry in ledger.ledger_for(self.member):
            running += entry.points
            assert running >= 0

    @invariant()
    def nothing_expires_twice(self) -> None:
        state = ledger.lots_at(ledger.ledger_for(self.member), self.now)
        assert state.expired <= state.due


@pytest.mark.django_db
def test_ledger_invariants_hold_for_any_sequence_of_operations():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
