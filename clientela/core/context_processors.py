"""What the page shell needs: navigation for the user's roles, unread notices, languages."""

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from .models import Notification
from .permissions import has_perm, roles_of
from .registry import NAV_AREAS, NavEntry, registry


@functools.cache
def _nav_for(
    nav: tuple[NavEntry, ...], roles: frozenset[str], script_prefix: str, urlconf: str | None
) -> tuple[Any, ...]:
    """The navigation a set of roles sees. Entries are registered at start-up and their permissions
    are the roles' alone (no record), so it is worked out once per set of roles and registered
    entries, not per page (45 permission checks and address lookups); the labels stay lazy,
    translated when shown."""
    areas = []
    for key, label in NAV_AREAS:
        entries = []
        for entry in sorted((e for e in nav if e.area == key), key=lambda e: e.order):
            if not _roles_may(roles, entry.permission):
                continue
            try:
                url = reverse(entry.url_name, urlconf=urlconf)
            except NoReverseMatch:
                continue
            entries.append({"label": entry.label, "url": url, "active": False})
        if entries:
            areas.append((key, label, tuple(entries)))
    return tuple(areas)


def _roles_may(roles: frozenset[str], perm: str) -> bool:
    return has_perm(_RolesOnly(roles), perm)


class _RolesOnly:
    """A user reduced to its roles, for the permission checks that need no record."""

    is_authenticated = True
    is_active = True
    is_superuser = False

    def __init__(self, roles: frozenset[str]) -> None:
        self._clientela_roles = roles


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"LANGUAGE_CHOICES": settings.LANGUAGES}

    def nav() -> list[dict[str, Any]]:
        areas = [
            {"key": key, "label": label, "entries": [dict(e) for e in entries], "active": False}
            for key, label, entries in _nav_for(tuple(registry.nav), roles_of(user), get_script_prefix(), get_urlconf())
        ]
        path = request.path
        # Only the entry whose address is the longest prefix of this page is the current one
        # (/contracts/deliverables/ is "Deliverables", not also "Contracts").
        candidates = [e for area in areas for e in area["entries"] if e["url"] != "/" and path.startswith(e["url"])]
        if candidates:
            max(candidates, key=lambda e: len(e["url"]))["active"] = True
            for area in areas:
                area["active"] = any(e["active"] for e in area["entries"])
        return areas

    def unread() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"nav_areas": nav, "unread_notifications": unread, "LANGUAGE_CHOICES": settings.LANGUAGES}
