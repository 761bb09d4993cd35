"""manage.py import <kind> <file> [--dry-run]: the same import as the upload page (SPEC §6)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clientela.core import importing
from clientela.core.registry import registry


class Command(BaseCommand):
    help = "Import customers, contacts, contracts, deliverables, deliveries or survey responses from CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="What to import: " + ", ".join(sorted(registry.importers)))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument("--user", default="admin", help="Username recorded as the author of the changes.")

    def handle(self, *args, **options):
        try:
            importer = importing.get_importer(options["kind"])
        except KeyError as exc:
            raise CommandError(
                f"Unknown kind {options['kind']!r}; choose one of: {', '.join(sorted(registry.importers))}"
            ) from exc
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = get_user_model().objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(f"No user {options['user']!r}")
        report = importing.run_import(
            importer, path.read_bytes(), filename=path.name, actor=actor, dry_run=options["dry_run"]
        )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        for error in report.errors:
            where = f"line {error['line']}" if error["line"] else "file"
            column = f", {error['column']}" if error["column"] else ""
            self.stdout.write(self.style.ERROR(f"{where}{column}: {error['message']}"))
        summary = (
            f"{report.total} rows: {report.created} to create, {report.updated} to update, {report.unchanged} unchanged, "
            f"{len(report.errors)} errors."
        )
        if report.errors:
            raise CommandError(f"Nothing imported. {summary}")
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"Dry run, nothing written. {summary}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported. {summary}"))
