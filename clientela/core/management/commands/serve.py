"""`make serve`: production server (gunicorn), task worker(s) and the scheduler."""

import os
import sys

from django.core.management.base import BaseCommand

from ._supervise import supervise


class Command(BaseCommand):
    help = "Serve with gunicorn (WEB_WORKERS, default 2) plus TASK_WORKERS task workers and the scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--task-workers", type=int, default=int(os.environ.get("TASK_WORKERS", "1")))
        parser.add_argument("--no-jobs", action="store_true", help="Web server only (jobs run elsewhere).")

    def handle(self, *args, **options):
        manage = [sys.executable, "manage.py"]
        commands = [
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clientela.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "20",
                "--timeout",
                "60",
            ]
        ]
        if not options["no_jobs"]:
            commands += [[*manage, "db_worker", "--interval", "1"] for _ in range(options["task_workers"])]
            commands.append([*manage, "run_scheduler"])
        supervise(
            commands,
            self.style.SUCCESS(f"Clientela (production server) on http://{options['bind']}/"),
            self.stdout.write,
        )
