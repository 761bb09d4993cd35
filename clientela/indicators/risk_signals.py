"""Live signals of the risk register: figures of the system that warn before a risk materialises.

Each module registers a provider for what it measures ("Respuestas lentas" ↔ complaint SLA breach
rate, "Requisitos no claros" ↔ requirements stuck in clarification, "Falta de herramientas
adecuadas" ↔ interactions logged late). A provider computes a value; the threshold is configured by
quality and decides the status.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.core import changes
from clientela.core.models import SiteSetting

SETTINGS_KEY = "indicators.signals"

OK = "ok"
ALERT = "alert"
NO_DATA = "no_data"

STATUS_LABELS: dict[str, Promise] = {OK: _("Within threshold"), ALERT: _("Threshold exceeded"), NO_DATA: _("No data")}
STATUS_TONES = {OK: "good", ALERT: "bad", NO_DATA: "neutral"}


@dataclass(frozen=True)
class SignalValue:
    value: float | None
    detail: str = ""  # what the value is made of, e.g. "12 of 96 interactions, last 90 days"
    url: str = ""  # the records behind it


@dataclass(frozen=True)
class SignalProvider:
    key: str
    label: str | Promise
    unit: str  # a registry.Unit
    default_threshold: float
    compute: Callable[..., SignalValue]  # compute(*, today) -> SignalValue
    higher_is_worse: bool = True


@dataclass(frozen=True)
class SignalReading:
    provider: SignalProvider
    value: float | None
    threshold: float
    status: str
    detail: str = ""
    url: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def tone(self) -> str:
        return STATUS_TONES[self.status]

    def as_plain(self) -> dict[str, Any]:
        return {
            "key": self.provider.key,
            "label": str(self.provider.label),
            "unit": self.provider.unit,
            "value": self.value,
            "threshold": self.threshold,
            "status": self.status,
            "status_label": self.status_label,
            "tone": self.tone,
            "detail": self.detail,
        }


_PROVIDERS: dict[str, SignalProvider] = {}


def register_signal(provider: SignalProvider) -> None:
    _PROVIDERS[provider.key] = provider


def unregister_signal(key: str) -> None:
    _PROVIDERS.pop(key, None)


def providers() -> list[SignalProvider]:
    return sorted(_PROVIDERS.values(), key=lambda p: str(p.label))


def get_provider(key: str) -> SignalProvider | None:
    return _PROVIDERS.get(key)


def choices() -> list[tuple[str, str]]:
    return [(p.key, str(p.label)) for p in providers()]


# --- configuration (thresholds and parameters, set by quality) ---------------------------------


def configuration() -> dict[str, Any]:
    """The thresholds and parameters (read once per `core.changes.snapshot()`)."""

    def read() -> dict[str, Any]:
        row = SiteSetting.objects.filter(key=SETTINGS_KEY).first()
        return dict(row.value) if row is not None and isinstance(row.value, dict) else {}

    return dict(changes.remembered(f"site-setting:{SETTINGS_KEY}", read))


def threshold_for(provider: SignalProvider, config: dict[str, Any] | None = None) -> float:
    config = configuration() if config is None else config
    value = (config.get("thresholds") or {}).get(provider.key)
    return float(value) if isinstance(value, int | float) else provider.default_threshold


def late_interaction_days(config: dict[str, Any] | None = None) -> int:
    """Days after which an interaction recorded after it happened counts as logged late."""
    config = configuration() if config is None else config
    value = config.get("late_interaction_days")
    if isinstance(value, int) and value >= 0:
        return value
    return int(getattr(settings, "INDICATORS_LATE_INTERACTION_DAYS", 2))


def read(provider: SignalProvider, *, today: dt.date, config: dict[str, Any] | None = None) -> SignalReading:
    config = configuration() if config is None else config
    result = provider.compute(today=today)
    threshold = threshold_for(provider, config)
    if result.value is None:
        status = NO_DATA
    elif provider.higher_is_worse:
        status = ALERT if result.value > threshold else OK
    else:
        status = ALERT if result.value < threshold else OK
    return SignalReading(provider, result.value, threshold, status, result.detail, result.url)


def read_all(*, today: dt.date, keys: set[str] | None = None) -> dict[str, SignalReading]:
    """One reading per provider (each computed once, however many risks use it)."""
    config = configuration()
    return {p.key: read(p, today=today, config=config) for p in providers() if keys is None or p.key in keys}
