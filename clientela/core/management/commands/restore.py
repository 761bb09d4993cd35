"""manage.py restore <folder>: replace the database and uploaded files with a verified backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clientela.core import backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (checks every checksum first, verifies after)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--check", action="store_true", help="Only verify the backup's checksums.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        try:
            manifest = backup.check(options["folder"])
            if options["check"]:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Backup intact ({len(manifest['tables'])} tables, made {manifest['created_at']})."
                    )
                )
                return
            if (
                not options["yes"]
                and input("This replaces ALL current data. Type 'yes' to continue: ").strip() != "yes"
            ):
                raise CommandError("Restore cancelled.")
            backup.restore(options["folder"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Restored and verified: every table and file matches the backup."))
