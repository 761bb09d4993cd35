"""The production settings pass Django's deployment checklist, and the API schema generates
without a warning (a warning there means a wrong or ambiguous schema for API clients)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_production_settings_pass_the_deployment_checklist(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "clientela.example.org",
        "EMAIL_HOST": "smtp.example.org",
        # An empty database: the checks (and the schema generation among them) must not need data.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "CLIENTELA_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
