"""What the page shell needs: navigation for the user's roles, unread notices, languages."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .models import Notification
from .permissions import has_perm
from .registry import NAV_AREAS, registry


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"LANGUAGE_CHOICES": settings.LANGUAGES}

    def nav() -> list[dict[str, Any]]:
        areas = []
        path = request.path
        for key, label in NAV_AREAS:
            entries = []
            for entry in sorted((e for e in registry.nav if e.area == key), key=lambda e: e.order):
                if not has_perm(user, entry.permission):
                    continue
                try:
                    url = reverse(entry.url_name)
                except NoReverseMatch:
                    continue
                entries.append({"label": entry.label, "url": url, "active": False})
            if entries:
                areas.append({"key": key, "label": label, "entries": entries, "active": False})
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
