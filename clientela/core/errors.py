"""Domain errors raised by services; views show them as messages, the API maps them to HTTP codes."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the process refuses the operation. The API answers 409."""

    default_message = _("The operation is not allowed in the record's current state.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class IllegalTransition(DomainError):
    """A state change that the record's state machine does not allow."""


class ConflictError(DomainError):
    """The record changed since the user loaded it (optimistic concurrency)."""

    default_message = _("Someone else changed this record while you were editing it.")

    def __init__(self, message: str | None = None, *, changes: list | None = None) -> None:
        super().__init__(message)
        self.changes = changes or []


def is_bad_input(exc: BaseException) -> bool:
    """Whether a database or conversion error was caused by the request's own values (a number
    too large for its column, a NUL character no database text can hold): a 400, not a 500."""
    from django.db import DataError

    message = str(exc)
    return (
        isinstance(exc, OverflowError)
        or (isinstance(exc, DataError) and ("out of range" in message or "NUL" in message))
        or (isinstance(exc, ValueError) and "NUL (0x00)" in message)
    )
