"""The status workflows of this module, one table per record type."""

from clientela.core.statemachine import StateMachine

from .models import DocumentVersion, ManagementReview, ReviewDecision

Review = ManagementReview.Status
Decision = ReviewDecision.Status
Version = DocumentVersion.Status

# An approved review is frozen: there is no way back.
REVIEW = StateMachine(choices=Review, moves={Review.DRAFT: [Review.APPROVED]})

DECISION = StateMachine(
    choices=Decision,
    moves={
        Decision.OPEN: [Decision.DONE, Decision.CANCELLED],
        Decision.DONE: [Decision.OPEN],
        Decision.CANCELLED: [Decision.OPEN],
    },
)

VERSION = StateMachine(
    choices=Version,
    moves={
        Version.DRAFT: [Version.IN_FORCE, Version.WITHDRAWN],
        Version.IN_FORCE: [Version.SUPERSEDED],
    },
)
