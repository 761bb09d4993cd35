"""manage.py backup: a consistent snapshot of the database and uploaded files, with checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clientela.core import backup


class Command(BaseCommand):
    help = "Back up the database (SQLite or PostgreSQL) and the uploaded files into a checksummed folder."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Folder that receives the backup (default var/backups).")
        parser.add_argument("--keep", type=int, default=0, help="Keep only the newest N backups in that folder.")

    def handle(self, *args, **options):
        try:
            path = backup.create(options["output"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
        if options["keep"]:
            folders = sorted(p for p in path.parent.glob("clientela-*") if (p / backup.MANIFEST).exists())
            for old in folders[: -options["keep"]]:
                import shutil

                shutil.rmtree(old)
                self.stdout.write(f"Removed old backup {old.name}")
