"""The requirement's life (SPEC §3.2): draft → clarifying → validated → approved → fulfilled, or
rejected / withdrawn. The one table of allowed moves, and who may make each."""

from clientela.core.statemachine import StateMachine

from .models import Status

REQUIREMENT_FLOW = StateMachine(
    choices=Status,
    moves={
        Status.DRAFT: [Status.CLARIFYING, Status.WITHDRAWN],
        Status.CLARIFYING: [Status.VALIDATED, Status.REJECTED, Status.WITHDRAWN],
        # Back to clarifying only as a new version (services.requirement_new_version).
        Status.VALIDATED: [Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CLARIFYING],
        Status.APPROVED: [Status.FULFILLED, Status.WITHDRAWN, Status.CLARIFYING],
        Status.FULFILLED: [],
        Status.REJECTED: [],
        Status.WITHDRAWN: [],
    },
)

# Moves that are a decision of the sales manager (approval of what the organisation commits to).
DECISIONS = frozenset({Status.APPROVED, Status.REJECTED})


def transition_permission(target: str) -> str:
    """The permission needed to move a requirement to `target`."""
    return "requirements.approve" if target in DECISIONS else "requirements.change"


def targets_offered(current: str) -> list[str]:
    """The moves a person is offered from `current` (a new version is its own action)."""
    return [t for t in REQUIREMENT_FLOW.targets(current) if t != Status.CLARIFYING or current == Status.DRAFT]
