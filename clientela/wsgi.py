"""WSGI entry point for production servers (gunicorn)."""

import logging
import os
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")

django_application = get_wsgi_application()
_warmed = False


def _warm() -> None:
    """Read once per process, before its first request, what each page would otherwise read on its
    first use: the content types (one query for all of them), so that a page needs the same
    queries on its first view as on every other."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import DatabaseError

    try:
        ContentType.objects.get_for_models(*apps.get_models())
    except DatabaseError:  # not migrated yet: each page reads its own when it needs them
        logging.getLogger(__name__).info("content types not read ahead", exc_info=True)


def application(environ: dict[str, Any], start_response: Any) -> Any:
    global _warmed
    if not _warmed:
        _warmed = True
        _warm()
    return django_application(environ, start_response)
