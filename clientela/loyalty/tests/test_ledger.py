"""The points ledger: earning, tiers, expiry, adjustments and redemptions through the services."""

import datetime as dt
import decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.core.errors import DomainError
from clientela.loyalty import ledger, selectors, services
from clientela.loyalty.models import EarningRule, Membership, PointsEntry, Redemption
from clientela.loyalty.tests.factories import (
    MembershipFactory,
    RewardFactory,
    RuleFactory,
    contract,
    programme_with_tiers,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def programme():
    return programme_with_tiers(points_validity_months=12)


@pytest.fixture
def member(programme):
    return MembershipFactory(programme=programme)


@pytest.fixture
def rule(programme):
    return RuleFactory(
        programme=programme, event=EarningRule.Event.CONTRACT_SIGNED, points_per_unit=decimal.Decimal("0.1")
    )


def earn(member, points, at, users=None):
    return services.points_adjust(actor=None, membership=member, points=points, reason="Carga de prueba", at=at)


def test_a_contract_earns_points_by_value_rounded_down(member, rule, users):
    entry = services.points_earn(
        actor=users["sales_manager"], membership=member, rule=rule, value=decimal.Decimal("12345.67"), source=contract()
    )
    assert entry.points == 1234 and entry.kind == PointsEntry.Kind.EARN
    assert entry.source_label == "CT-2026-0001" and entry.source_type.model == "contract"
    assert ledger.balance_of(member) == 1234


def test_the_same_source_never_earns_twice(member, rule, users):
    first = services.points_earn(actor=None, membership=member, rule=rule, value=1000, source=contract(7))
    again = services.points_earn(actor=None, membership=member, rule=rule, value=99999, source=contract(7))
    assert again.pk == first.pk
    assert PointsEntry.objects.filter(membership=member).count() == 1
    assert ledger.balance_of(member) == 100


@pytest.mark.parametrize("value", ["-1", "NaN", "Infinity", "abc"])
def test_negative_or_meaningless_values_are_refused(member, rule, value):
    with pytest.raises(ValidationError) as excinfo:
        services.points_earn(actor=None, membership=member, rule=rule, value=value, source=contract())
    assert "value" in excinfo.value.message_dict
    assert not PointsEntry.objects.exists()


def test_an_absurd_value_is_refused_with_the_limit(member, rule):
    with pytest.raises(ValidationError) as excinfo:
        services.points_earn(actor=None, membership=member, rule=rule, value=decimal.Decimal("1e12"), source=contract())
    assert "1000000" in str(excinfo.value.message_dict["value"]) or "1.000.000" in str(excinfo.value)
    assert not PointsEntry.objects.exists()


def test_a_rule_cap_limits_the_points(member, programme):
    rule = RuleFactory(programme=programme, event=EarningRule.Event.CONTRACT_RENEWED, points_per_unit=1, max_points=500)
    entry = services.points_earn(actor=None, membership=member, rule=rule, value=20000, source=contract())
    assert entry.points == 500


def test_a_zero_value_contract_earns_nothing(member, rule):
    assert services.points_earn(actor=None, membership=member, rule=rule, value=0, source=contract()) is None
    assert not PointsEntry.objects.exists()


def test_suspended_members_do_not_earn(member, rule, users):
    services.membership_transition(actor=users["sales_manager"], membership=member, to=Membership.Status.SUSPENDED)
    with pytest.raises(DomainError):
        services.points_earn(actor=None, membership=member, rule=rule, value=100, source=contract())


@pytest.mark.parametrize(
    ("points", "expected"),
    [(0, "Bronce"), (999, "Bronce"), (1000, "Plata"), (4999, "Plata"), (5000, "Oro"), (80000, "Oro")],
)
def test_tiers_change_exactly_at_their_thresholds(member, programme, points, expected):
    if points:
        services.points_adjust(actor=None, membership=member, points=min(points, 10000), reason="Carga inicial", at=T0)
        if points > 10000:
            services.points_adjust(
                actor=None, membership=member, points=10000, reason="Carga inicial", at=T0 + dt.timedelta(seconds=1)
            )
    qualifying = ledger.qualifying_points(member, T0 + dt.timedelta(days=1))
    assert ledger.tier_for(programme.tiers.all(), qualifying).name == expected


def test_the_tier_counts_a_rolling_twelve_months_both_ends_included(member, programme):
    services.points_adjust(actor=None, membership=member, points=1000, reason="Carga inicial", at=T0)
    year_later = ledger.add_months(T0, 12)
    assert ledger.qualifying_points(member, year_later) == 1000
    assert ledger.qualifying_points(member, year_later + dt.timedelta(microseconds=1)) == 0
    annotated = selectors.attach_tiers(selectors.with_points(Membership.objects.filter(pk=member.pk), year_later))
    assert annotated[0].tier.name == "Plata"
    annotated = selectors.attach_tiers(
        selectors.with_points(Membership.objects.filter(pk=member.pk), year_later + dt.timedelta(seconds=1))
    )
    assert annotated[0].tier.name == "Bronce"


def test_redemptions_and_expiry_do_not_lower_the_tier_but_corrections_do(member, programme):
    services.points_adjust(actor=None, membership=member, points=1200, reason="Carga inicial", at=T0)
    reward = RewardFactory(programme=programme, points_cost=1000)
    services.redemption_create(actor=None, membership=member, reward=reward, at=T0 + dt.timedelta(days=1))
    assert ledger.qualifying_points(member, T0 + dt.timedelta(days=2)) == 1200
    services.points_adjust(
        actor=None, membership=member, points=-200, reason="Corrección de error", at=T0 + dt.timedelta(days=3)
    )
    assert ledger.qualifying_points(member, T0 + dt.timedelta(days=4)) == 1000


def test_add_months_keeps_the_end_of_month():
    assert ledger.add_months(dt.datetime(2024, 2, 29, 12, tzinfo=dt.UTC), 12).date() == dt.date(2025, 2, 28)
    assert ledger.add_months(dt.datetime(2025, 1, 31, 12, tzinfo=dt.UTC), 1).date() == dt.date(2025, 2, 28)


def test_points_expire_after_their_validity_and_the_run_is_idempotent(member):
    services.points_adjust(actor=None, membership=member, points=300, reason="Lote uno", at=T0)
    services.points_adjust(actor=None, membership=member, points=200, reason="Lote dos", at=T0 + dt.timedelta(days=60))
    before = ledger.add_months(T0, 12) - dt.timedelta(seconds=1)
    assert services.points_expire_due(membership=member, at=before) is None
    after = ledger.add_months(T0, 12) + dt.timedelta(hours=1)
    entry = services.points_expire_due(membership=member, at=after)
    assert entry.points == -300 and entry.kind == PointsEntry.Kind.EXPIRE
    assert services.points_expire_due(membership=member, at=after) is None
    assert services.points_expire_due(membership=member, at=after + dt.timedelta(days=1)) is None
    assert ledger.balance_of(member) == 200


def test_spent_points_do_not_expire_first_in_first_out(member, programme):
    services.points_adjust(actor=None, membership=member, points=300, reason="Lote uno", at=T0)
    services.points_adjust(actor=None, membership=member, points=200, reason="Lote dos", at=T0 + dt.timedelta(days=60))
    reward = RewardFactory(programme=programme, points_cost=250)
    services.redemption_create(actor=None, membership=member, reward=reward, at=T0 + dt.timedelta(days=90))
    # 250 came from the first lot: only its 50 remaining points expire.
    entry = services.points_expire_due(membership=member, at=ledger.add_months(T0, 12) + dt.timedelta(days=1))
    assert entry.points == -50
    final = services.points_expire_due(membership=member, at=ledger.add_months(T0, 14) + dt.timedelta(days=1))
    assert final.points == -200
    assert ledger.balance_of(member) == 0


def test_the_periodic_run_expires_every_member_once(programme):
    members = [MembershipFactory(programme=programme) for _ in range(3)]
    for m in members:
        services.points_adjust(actor=None, membership=m, points=100, reason="Lote antiguo", at=T0)
    later = ledger.add_months(T0, 13)
    assert services.expire_all_due(at=later) == 3
    assert services.expire_all_due(at=later) == 0
    assert all(ledger.balance_of(m) == 0 for m in members)


def test_programmes_without_expiry_never_expire(member, programme):
    programme.points_validity_months = 0
    programme.save()
    services.points_adjust(actor=None, membership=member, points=100, reason="Lote eterno", at=T0)
    assert services.expire_all_due(at=T0 + dt.timedelta(days=3650)) == 0


def test_a_redemption_cannot_exceed_the_balance(member, programme, users):
    services.points_adjust(actor=None, membership=member, points=99, reason="Carga inicial")
    reward = RewardFactory(programme=programme, points_cost=100, name="Cesta gourmet")
    with pytest.raises(DomainError) as excinfo:
        services.redemption_create(actor=users["sales_manager"], membership=member, reward=reward)
    assert "100" in str(excinfo.value) and "99" in str(excinfo.value)
    assert not Redemption.objects.exists() and ledger.balance_of(member) == 99


def test_a_redemption_spends_then_cancelling_returns_the_points_and_stock(member, programme, users):
    services.points_adjust(actor=None, membership=member, points=500, reason="Carga inicial")
    reward = RewardFactory(programme=programme, points_cost=300, stock=1)
    redemption = services.redemption_create(actor=users["sales_manager"], membership=member, reward=reward)
    assert redemption.number.startswith("CJ-") and ledger.balance_of(member) == 200
    reward.refresh_from_db()
    assert reward.stock == 0
    with pytest.raises(DomainError):
        services.redemption_create(actor=users["sales_manager"], membership=member, reward=reward)
    services.redemption_transition(actor=users["sales_manager"], redemption=redemption, to="cancelled")
    assert ledger.balance_of(member) == 500
    reward.refresh_from_db()
    assert reward.stock == 1
    with pytest.raises(DomainError):
        services.redemption_transition(actor=users["sales_manager"], redemption=redemption, to="delivered")


def test_rewards_of_a_higher_tier_are_refused(member, programme):
    services.points_adjust(actor=None, membership=member, points=900, reason="Carga inicial")
    reward = RewardFactory(programme=programme, points_cost=100, min_tier=programme.tiers.get(name="Plata"))
    with pytest.raises(DomainError) as excinfo:
        services.redemption_create(actor=None, membership=member, reward=reward)
    assert "Plata" in str(excinfo.value)
    services.points_adjust(actor=None, membership=member, points=100, reason="Bonificación")
    assert services.redemption_create(actor=None, membership=member, reward=reward).points == 100


def test_a_redemption_records_expiry_first(member, programme):
    services.points_adjust(actor=None, membership=member, points=300, reason="Lote uno", at=T0)
    reward = RewardFactory(programme=programme, points_cost=300)
    with pytest.raises(DomainError):
        services.redemption_create(actor=None, membership=member, reward=reward, at=ledger.add_months(T0, 13))
    # The refused redemption rolled back, expiry included; the daily run records it.
    assert ledger.balance_of(member) == 300
    assert services.expire_all_due(at=ledger.add_months(T0, 13)) == 1


@pytest.mark.parametrize(
    ("points", "reason", "field"),
    [
        (0, "Motivo suficiente", "points"),
        (10001, "Motivo suficiente", "points"),
        (-10001, "Motivo suficiente", "points"),
        ("diez", "Motivo suficiente", "points"),
        (50, "", "reason"),
        (50, "ok", "reason"),
    ],
)
def test_bad_adjustments_are_explained_and_change_nothing(member, points, reason, field):
    with pytest.raises(ValidationError) as excinfo:
        services.points_adjust(actor=None, membership=member, points=points, reason=reason)
    assert field in excinfo.value.message_dict
    assert not PointsEntry.objects.exists()


def test_a_correction_cannot_make_the_balance_negative(member):
    services.points_adjust(actor=None, membership=member, points=40, reason="Carga inicial")
    with pytest.raises(DomainError) as excinfo:
        services.points_adjust(actor=None, membership=member, points=-41, reason="Corrección de error")
    assert "40" in str(excinfo.value)
    services.points_adjust(actor=None, membership=member, points=-40, reason="Corrección de error")
    assert ledger.balance_of(member) == 0


def test_the_ledger_is_append_only(member):
    entry = services.points_adjust(actor=None, membership=member, points=40, reason="Carga inicial")
    entry.points = 4000
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=1)
    with pytest.raises(PermissionError):
        PointsEntry.objects.all().delete()


def test_every_entry_is_audited(member, users):
    from clientela.core.audit import history_for

    entry = services.points_adjust(actor=users["sales_manager"], membership=member, points=40, reason="Gesto comercial")
    audit = history_for(entry).get()
    assert audit.actor == users["sales_manager"] and audit.note == "Gesto comercial"


def test_expiring_points_are_announced_by_date(member):
    now = timezone.now()
    services.points_adjust(
        actor=None, membership=member, points=70, reason="Lote antiguo", at=ledger.add_months(now, -11)
    )
    services.points_adjust(actor=None, membership=member, points=30, reason="Lote nuevo", at=now)
    soon = selectors.expiring_points(member, within_days=60)
    assert [e.points for e in soon] == [70]
