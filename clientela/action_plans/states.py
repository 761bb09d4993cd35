"""The state machines of action plans and of their actions, in one place.

Plan: open → in_progress → pending_verification → closed, or cancelled. Closing happens only by an
effective verification; a verification that finds the plan not effective sends it back to
in_progress.
"""

from clientela.core.statemachine import StateMachine

from .models import Action, ActionPlan

P = ActionPlan.Status
A = Action.Status

PLAN = StateMachine(
    choices=P,
    moves={
        P.OPEN: [P.IN_PROGRESS, P.CANCELLED],
        P.IN_PROGRESS: [P.PENDING_VERIFICATION, P.CANCELLED],
        P.PENDING_VERIFICATION: [P.CLOSED, P.IN_PROGRESS, P.CANCELLED],
        P.CLOSED: [],
        P.CANCELLED: [],
    },
)

ACTION = StateMachine(
    choices=A,
    moves={
        A.PENDING: [A.DONE, A.CANCELLED],
        A.DONE: [A.PENDING],
        A.CANCELLED: [A.PENDING],
    },
)

# Moves made by the verification, not by the transition buttons.
BY_VERIFICATION = {(P.PENDING_VERIFICATION, P.CLOSED), (P.PENDING_VERIFICATION, P.IN_PROGRESS)}


def plan_steps(plan: ActionPlan) -> list[str]:
    """The moves offered as buttons (closing and reopening go through the verification form)."""
    return [t for t in PLAN.targets(plan.status) if (plan.status, t) not in BY_VERIFICATION]
