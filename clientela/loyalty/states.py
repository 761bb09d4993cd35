"""The status workflows of the loyalty records, each in one table."""

from clientela.core.statemachine import StateMachine

from .models import LoyaltyProgramme, Membership, Redemption, Referral

_P = LoyaltyProgramme.Status
PROGRAMME = StateMachine(
    choices=_P,
    moves={
        _P.DRAFT: [_P.ACTIVE, _P.CLOSED],
        _P.ACTIVE: [_P.CLOSED],
        _P.CLOSED: [],
    },
)

_M = Membership.Status
MEMBERSHIP = StateMachine(
    choices=_M,
    moves={
        _M.ACTIVE: [_M.SUSPENDED, _M.ENDED],
        _M.SUSPENDED: [_M.ACTIVE, _M.ENDED],
        _M.ENDED: [_M.ACTIVE],
    },
)

_R = Redemption.Status
REDEMPTION = StateMachine(
    choices=_R,
    moves={
        _R.REQUESTED: [_R.DELIVERED, _R.CANCELLED],
        _R.DELIVERED: [],
        _R.CANCELLED: [],
    },
)

_F = Referral.Status
REFERRAL = StateMachine(
    choices=_F,
    moves={
        _F.PENDING: [_F.REWARDED, _F.CANCELLED],
        _F.REWARDED: [],
        _F.CANCELLED: [],
    },
)
