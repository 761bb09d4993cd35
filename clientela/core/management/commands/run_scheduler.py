"""Enqueue periodic jobs when they fall due (SLA clocks, escalations, reminders, digests)."""

import signal
import time

from django.core.management.base import BaseCommand

from clientela.core.jobs import run_due_jobs


class Command(BaseCommand):
    help = "Run the scheduler loop (or --once) that enqueues due periodic jobs for the task workers."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run due jobs once, here and now, then exit.")
        parser.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args, **options):
        if options["once"]:
            for name in run_due_jobs(inline=True):
                self.stdout.write(f"ran {name}")
            return
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            run_due_jobs()
            for _ in range(int(options["interval"] * 10)):
                if stopping:
                    break
                time.sleep(0.1)
