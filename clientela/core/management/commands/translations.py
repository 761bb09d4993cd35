"""Extract, compile and check the translation catalogs (one per app, one for the project shell).

Compiling uses polib, so GNU gettext is only needed to extract strings, never to run the app.
"""

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PROJECT = Path(settings.BASE_DIR) / "clientela"
LANGUAGES = ["es"]  # source strings are English, so English needs no catalog


def catalog_dirs() -> list[Path]:
    apps = sorted(p.parent for p in PROJECT.glob("*/apps.py"))
    return [PROJECT, *apps]


class Command(BaseCommand):
    help = "--extract: update the .po files; --compile: write the .mo files; --check: fail on missing translations."

    def add_arguments(self, parser):
        parser.add_argument("--extract", action="store_true")
        parser.add_argument("--compile", action="store_true")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, **options):
        import polib

        manage = str(Path(settings.BASE_DIR) / "manage.py")
        if options["extract"]:
            for directory in catalog_dirs():
                ignore = []
                if directory == PROJECT:
                    ignore = [f"--ignore={p.name}/*" for p in catalog_dirs()[1:]] + ["--ignore=static/*"]
                for language in LANGUAGES:
                    (directory / "locale" / language / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
                    subprocess.run(
                        [
                            sys.executable,
                            manage,
                            "makemessages",
                            "-l",
                            language,
                            "--no-obsolete",
                            "--no-location",
                            *ignore,
                        ],
                        cwd=directory,
                        check=True,
                        stdout=subprocess.DEVNULL,
                    )
        problems = []
        for po_path in sorted(PROJECT.glob("**/locale/*/LC_MESSAGES/django.po")):
            catalog = polib.pofile(str(po_path))
            language = po_path.parts[-3]
            if language == "en":
                # Source strings are English: an empty msgstr falls back to the msgid.
                missing = [e for e in catalog if e.fuzzy]
            else:
                missing = [e for e in catalog if (not e.translated() or e.fuzzy) and not e.obsolete]
            if missing:
                problems.append(f"{po_path.relative_to(settings.BASE_DIR)}: {len(missing)} untranslated or fuzzy")
            if options["compile"]:
                catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
        if options["check"] and problems:
            raise CommandError("\n".join(problems))
        for problem in problems:
            self.stdout.write(self.style.WARNING(problem))
