"""Close indicator periods by hand: the last quarter (what the daily job does), a given period, or
the last N quarters; with --recompute, refresh closed records from the data as it is now."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clientela.core.errors import DomainError
from clientela.indicators import selectors, services


class Command(BaseCommand):
    help = "Record the indicators of closed quarters (idempotent) and request the plans of results below target."

    def add_arguments(self, parser):
        parser.add_argument("--period", action="append", default=[], help="A closed period: 2026-Q3, 2026-09, 2026.")
        parser.add_argument("--last", type=int, default=1, help="Close the last N quarters (default 1).")
        parser.add_argument(
            "--recompute",
            action="store_true",
            help="Update records already closed from the current data (approved reviews keep what they froze).",
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        try:
            periods = [selectors.period_or_error(text) for text in options["period"]]
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not periods:
            periods = services.last_closed_quarter(today).last(max(options["last"], 1))
        for period in periods:
            try:
                results = services.period_close(period=period, today=today, recompute=options["recompute"])
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
            below = [r.indicator for r in results if r.needs_plan]
            self.stdout.write(
                f"{period}: {len(results)} indicators recorded"
                + (f"; below target: {', '.join(below)}" if below else "")
            )
        self.stdout.write(f"Awaiting analysis: {selectors.results_awaiting_analysis().count()}")
