"""The one state machine of complaints, suggestions and compliments (ISO 10002 steps).

received → acknowledged → in_analysis → resolved → closed, with `waiting_customer` (the SLA clock
stops) from the analysis, `rejected` with a reason, and reopening from resolved or closed back to
the analysis. A compliment is only acknowledged and closed (or rejected as spam).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.errors import IllegalTransition
from clientela.core.statemachine import StateMachine

from .models import Feedback

S = Feedback.Status

FEEDBACK = StateMachine(
    choices=S,
    moves={
        S.RECEIVED: [S.ACKNOWLEDGED, S.REJECTED],
        S.ACKNOWLEDGED: [S.IN_ANALYSIS, S.CLOSED, S.REJECTED],
        S.IN_ANALYSIS: [S.WAITING_CUSTOMER, S.RESOLVED, S.REJECTED],
        S.WAITING_CUSTOMER: [S.IN_ANALYSIS],
        S.RESOLVED: [S.CLOSED, S.IN_ANALYSIS],
        S.CLOSED: [S.IN_ANALYSIS],
        S.REJECTED: [],
    },
)

# A compliment needs no analysis: it is acknowledged (thanked) and closed.
COMPLIMENT_MOVES = {S.RECEIVED: {S.ACKNOWLEDGED, S.REJECTED}, S.ACKNOWLEDGED: {S.CLOSED}}
# Complaints and suggestions are closed only after a resolution and the customer's answer.
ANALYSED_ONLY = {(S.ACKNOWLEDGED, S.CLOSED)}

ANSWERED = frozenset({S.RESOLVED, S.CLOSED, S.REJECTED})
CLOCK_RUNNING = frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.IN_ANALYSIS})


def allowed(feedback: Feedback) -> list[str]:
    """The statuses this record may move to now, in the order the steps are offered."""
    current = feedback.status
    targets = FEEDBACK.targets(current)
    if feedback.kind == Feedback.Kind.COMPLIMENT:
        return [t for t in targets if t in COMPLIMENT_MOVES.get(current, set())]
    return [t for t in targets if (current, t) not in ANALYSED_ONLY]


def check(feedback: Feedback, target: str) -> None:
    """Raise IllegalTransition unless `feedback` may move to `target`."""
    FEEDBACK.check(feedback.status, target)
    if target not in allowed(feedback):
        raise IllegalTransition(
            _("A %(kind)s in status “%(current)s” cannot move to “%(target)s”.")
            % {
                "kind": feedback.get_kind_display().lower(),
                "current": FEEDBACK.label(feedback.status),
                "target": FEEDBACK.label(target),
            }
        )


def step_label(feedback: Feedback, target: str) -> str:
    """The button that performs a move, in the process document's words."""
    current = feedback.status
    suggestion = feedback.kind == Feedback.Kind.SUGGESTION
    if target == S.IN_ANALYSIS:
        if current == S.WAITING_CUSTOMER:
            return str(gettext_lazy("Resume the analysis"))
        if current in (S.RESOLVED, S.CLOSED):
            return str(gettext_lazy("Reopen"))
        return str(gettext_lazy("Assess and start the analysis"))
    if target == S.RESOLVED:
        return str(gettext_lazy("Accept the suggestion") if suggestion else gettext_lazy("Resolve"))
    if target == S.REJECTED:
        return str(gettext_lazy("Decline the suggestion") if suggestion else gettext_lazy("Reject"))
    return {
        S.ACKNOWLEDGED: str(gettext_lazy("Acknowledge receipt")),
        S.WAITING_CUSTOMER: str(gettext_lazy("Wait for the customer")),
        S.CLOSED: str(gettext_lazy("Close")),
    }[target]


def permission_for(feedback: Feedback, target: str) -> str:
    """Accepting or declining a suggestion is an evaluation; every other step is work on the record."""
    if feedback.kind == Feedback.Kind.SUGGESTION and target in (S.RESOLVED, S.REJECTED):
        return "feedback.evaluate"
    return "feedback.work"
