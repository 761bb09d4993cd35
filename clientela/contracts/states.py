"""The status workflows of contracts and deliverables (SPEC §3.6), each in one table."""

from clientela.core.statemachine import StateMachine

from .models import Contract, Deliverable

S = Contract.Status

CONTRACT_FLOW = StateMachine(
    choices=S,
    moves={
        S.DRAFT: [S.IN_REVIEW, S.CANCELLED],
        S.IN_REVIEW: [S.ACTIVE, S.DRAFT, S.CANCELLED],
        S.ACTIVE: [S.COMPLETED, S.TERMINATED],
        S.COMPLETED: [],
        S.TERMINATED: [],
        S.CANCELLED: [],
    },
)

# Who may make each move: drafting is the account manager's, committing is the sales manager's.
CONTRACT_MOVE_PERMISSIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.IN_REVIEW): "contracts.submit",
    (S.IN_REVIEW, S.DRAFT): "contracts.submit",
    (S.DRAFT, S.CANCELLED): "contracts.submit",
    (S.IN_REVIEW, S.ACTIVE): "contracts.transition",
    (S.IN_REVIEW, S.CANCELLED): "contracts.transition",
    (S.ACTIVE, S.COMPLETED): "contracts.transition",
    (S.ACTIVE, S.TERMINATED): "contracts.transition",
}

# Moves that end a contract early and so need a reason on record.
NEEDS_REASON = {S.TERMINATED, S.CANCELLED}

D = Deliverable.Status

# `delivered` is reached only through a conforming delivery (and left only if that delivery is
# corrected to nonconforming); people move deliverables between pending and cancelled.
DELIVERABLE_FLOW = StateMachine(
    choices=D,
    moves={
        D.PENDING: [D.DELIVERED, D.CANCELLED],
        D.DELIVERED: [D.PENDING],
        D.CANCELLED: [D.PENDING],
    },
)
