"""WSGI entry point for production servers (gunicorn)."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")

application = get_wsgi_application()


def _warm() -> None:
    """Read once, as each worker starts, what every process would otherwise read on its first use:
    the content types (one query for all of them), so that a page needs the same queries on its
    first view as on every other."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import DatabaseError, connection

    try:
        ContentType.objects.get_for_models(*apps.get_models())
    except DatabaseError:  # not migrated yet: the first request reads them instead
        logging.getLogger(__name__).info("content types not read at start-up", exc_info=True)
    finally:
        connection.close()


_warm()
