"""Load the demo data once (idempotent): users for every role, customers, six quarters of history."""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from clientela.core import demo


class Command(BaseCommand):
    help = "Load realistic demo data once; does nothing if it is already loaded."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo user (default: DEMO_PASSWORD or a random one).")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **options):
        logins_file = settings.VAR_DIR / "demo-logins.txt"
        if demo.is_loaded():
            self.stdout.write("Demo data already loaded.")
            if logins_file.exists():
                self.stdout.write(logins_file.read_text())
            return
        import os

        password = options["password"] or os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        ctx = demo.load(password=password, seed=options["seed"])
        lines = ["Demo users (username / role / password):"]
        lines += [f"  {username:<14} {role:<28} {pw}" for username, role, pw in ctx.logins]
        text = "\n".join(lines) + "\n"
        logins_file.write_text(text)
        logins_file.chmod(0o600)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(text)
