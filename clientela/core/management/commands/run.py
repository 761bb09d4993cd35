"""`make run`: the web server, a task worker and the scheduler together, stopped together."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from ._supervise import supervise


def mail_note() -> str:
    """Where the e-mails go when no mail server is configured."""
    folder = settings.MAILERS.get("default", {}).get("OPTIONS", {}).get("file_path")
    return f"; e-mails are written to {folder} until EMAIL_HOST is set" if folder else ""


class Command(BaseCommand):
    help = "Serve Clientela on 127.0.0.1:8000 with the background jobs running (worker + scheduler)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))

    def handle(self, *args, **options):
        manage = [sys.executable, "manage.py"]
        supervise(
            [
                [*manage, "db_worker", "--interval", "1"],
                [*manage, "run_scheduler"],
                [*manage, "runserver", options["addr"], "--noreload"],
            ],
            self.style.SUCCESS(f"Clientela: http://{options['addr']}/  (Ctrl+C stops everything{mail_note()})"),
            self.stdout.write,
        )
