"""Extension points: each module registers what it adds to shared pages, in its AppConfig.ready().

- navigation entries (grouped by process area),
- sources for the customer 360° timeline, panels and headline figures,
- global search providers,
- home-page widgets,
- record types whose history the audit view may show,
- importers (SPEC §6).

Shared pages iterate over these lists; adding a module never means editing those pages.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Navigation follows the process document: its four flows, then monitoring and opportunities.
NAV_AREAS: list[tuple[str, Promise]] = [
    ("customers", _("Customers")),
    ("requirements", _("Requirements")),
    ("feedback", _("Complaints and improvement")),
    ("surveys", _("Satisfaction")),
    ("contracts", _("Contracts")),
    ("monitoring", _("Monitoring")),
    ("development", _("Loyalty and training")),
    ("admin", _("Administration")),
]


@dataclass(frozen=True)
class NavEntry:
    area: str  # one of NAV_AREAS
    label: str | Promise
    url_name: str
    permission: str
    order: int = 100
    icon: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a customer's timeline."""

    at: dt.datetime
    kind: str  # "interaction", "complaint", "contract"… (CSS and filter key)
    kind_label: str | Promise
    title: str
    url: str = ""
    summary: str = ""
    actor: str = ""
    badge: str = ""
    badge_tone: str = "neutral"


# A timeline source returns at most `limit` entries older than `before` (None: the newest).
TimelineSource = Callable[..., list[TimelineEntry]]


@dataclass(frozen=True)
class TimelineSourceSpec:
    key: str
    label: str | Promise
    permission: str
    fetch: TimelineSource


@dataclass(frozen=True)
class HeadlineFigure:
    label: str | Promise
    value: str
    tone: str = "neutral"  # neutral | good | warning | bad
    url: str = ""
    hint: str | Promise = ""


@dataclass(frozen=True)
class CustomerPanel:
    key: str
    label: str | Promise
    permission: str
    template: str
    context: Callable[..., dict[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class SearchHit:
    kind_label: str | Promise
    title: str
    url: str
    summary: str = ""


@dataclass(frozen=True)
class SearchProvider:
    key: str
    permission: str
    search: Callable[..., list[SearchHit]]


@dataclass(frozen=True)
class HomeWidget:
    key: str
    permission: str
    template: str
    context: Callable[..., dict[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class Attachable:
    view_permission: str
    change_permission: str
    purposes: tuple[str, ...]


@dataclass
class Registry:
    nav: list[NavEntry] = field(default_factory=list)
    timeline_sources: list[TimelineSourceSpec] = field(default_factory=list)
    headline_figures: list[tuple[str, Callable[..., list[HeadlineFigure]]]] = field(default_factory=list)
    customer_panels: list[CustomerPanel] = field(default_factory=list)
    search_providers: list[SearchProvider] = field(default_factory=list)
    home_widgets: list[HomeWidget] = field(default_factory=list)
    audited_models: dict[type[models.Model], str] = field(default_factory=dict)
    importers: dict[str, Any] = field(default_factory=dict)
    attachables: dict[type[models.Model], Attachable] = field(default_factory=dict)


registry = Registry()


def register_nav(entry: NavEntry) -> None:
    registry.nav.append(entry)


def register_timeline_source(spec: TimelineSourceSpec) -> None:
    registry.timeline_sources.append(spec)


def register_headline_figures(permission: str, fn: Callable[..., list[HeadlineFigure]]) -> None:
    """`fn(customer=..., user=...)` returns the figures it contributes to the 360° page."""
    registry.headline_figures.append((permission, fn))


def register_customer_panel(panel: CustomerPanel) -> None:
    registry.customer_panels.append(panel)
    registry.customer_panels.sort(key=lambda p: p.order)


def register_search(provider: SearchProvider) -> None:
    registry.search_providers.append(provider)


def register_home_widget(widget: HomeWidget) -> None:
    registry.home_widgets.append(widget)
    registry.home_widgets.sort(key=lambda w: w.order)


def register_audited(model: type[models.Model], view_permission: str) -> None:
    """The record's history may be shown to whoever holds `view_permission` on the record."""
    registry.audited_models[model] = view_permission


def register_importer(importer: Any) -> None:
    registry.importers[importer.kind] = importer


def register_attachable(
    model: type[models.Model],
    *,
    view_permission: str,
    change_permission: str,
    purposes: tuple[str, ...] = ("evidence",),
) -> None:
    """Files may be attached to `model` records by whoever holds `change_permission` on the record."""
    registry.attachables[model] = Attachable(view_permission, change_permission, purposes)
    registry.audited_models.setdefault(model, view_permission)
