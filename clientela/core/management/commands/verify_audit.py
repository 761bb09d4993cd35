"""Prove the audit trail intact, or name the first entry that breaks the hash chain."""

from django.core.management.base import BaseCommand, CommandError

from clientela.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits with an error naming the first broken entry."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit trail BROKEN at entry #{report.broken_seq}: {report.reason} "
                f"({report.checked} entries before it verified)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.checked} entries verified."))
