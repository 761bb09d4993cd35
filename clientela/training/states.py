"""The status workflows of training records, each in one table."""

from clientela.core.statemachine import StateMachine

from .models import TrainingNeed, TrainingSession

_S = TrainingSession.Status
SESSION = StateMachine(
    choices=_S,
    moves={
        _S.PLANNED: [_S.HELD, _S.CANCELLED],
        _S.HELD: [],
        _S.CANCELLED: [_S.PLANNED],
    },
)

_N = TrainingNeed.Status
NEED = StateMachine(
    choices=_N,
    moves={
        _N.OPEN: [_N.PLANNED, _N.CLOSED, _N.CANCELLED],
        _N.PLANNED: [_N.OPEN, _N.CLOSED, _N.CANCELLED],
        _N.CLOSED: [_N.OPEN],
        _N.CANCELLED: [_N.OPEN],
    },
)
