"""A small state-machine table: each record type declares its allowed moves in one place."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from .errors import IllegalTransition


@dataclass(frozen=True)
class StateMachine:
    """`moves` maps each state to the states it may move to."""

    choices: type[models.TextChoices]
    moves: Mapping[str, Iterable[str]]

    def targets(self, current: str) -> list[str]:
        return list(self.moves.get(current, ()))

    def can(self, current: str, target: str) -> bool:
        return target in self.moves.get(current, ())

    def check(self, current: str, target: str) -> None:
        """Raise IllegalTransition, with a message naming both states, unless the move is allowed."""
        valid = {c.value for c in self.choices}
        if target not in valid:
            raise IllegalTransition(_("“%(target)s” is not a valid status.") % {"target": target})
        if not self.can(current, target):
            raise IllegalTransition(
                _("A record in status “%(current)s” cannot move to “%(target)s”.")
                % {"current": self.label(current), "target": self.label(target)}
            )

    def label(self, state: str) -> str:
        return str(dict(self.choices.choices).get(state, state))
