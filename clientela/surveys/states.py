"""The status workflows of surveys, invitations and follow-ups: each table is the one place that
says which moves are allowed."""

from clientela.core.statemachine import StateMachine

from .models import FollowUp, Survey, SurveyInvitation

S = Survey.Status
SURVEY = StateMachine(
    choices=S,
    moves={
        S.DRAFT: [S.PUBLISHED],
        S.PUBLISHED: [S.CLOSED],
        S.CLOSED: [S.PUBLISHED],
    },
)

I = SurveyInvitation.Status  # noqa: E741
INVITATION = StateMachine(
    choices=I,
    moves={
        I.PENDING: [I.SENT, I.RESPONDED, I.EXPIRED, I.CANCELLED],
        I.SENT: [I.RESPONDED, I.EXPIRED, I.CANCELLED],
    },
)

F = FollowUp.Status
FOLLOWUP = StateMachine(
    choices=F,
    moves={
        F.OPEN: [F.IN_PROGRESS, F.CLOSED],
        F.IN_PROGRESS: [F.CLOSED],
        F.CLOSED: [F.IN_PROGRESS],
    },
)
