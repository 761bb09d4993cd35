"""What the generator and the runner share: scales, where each bench database lives, Django set-up."""

import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("CLIENTELA_BENCH_DIR", ROOT / "var" / "bench"))  # generated databases, logs

# The sales manager the runner signs in as (created by the accounts generator).
BENCH_USER = "gerente.bench"
BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD", "Banco-de-pruebas-2026")

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


@dataclass(frozen=True)
class Scale:
    name: str
    factor: float  # share of scale L

    def n(self, at_l: int, minimum: int = 1) -> int:
        """`at_l` rows at scale L, scaled down (never below `minimum`)."""
        return max(minimum, round(at_l * self.factor))


SCALES = {s.name: s for s in (Scale("XS", 0.01), Scale("S", 0.10), Scale("M", 0.30), Scale("L", 1.0))}
DATABASES = ("sqlite", "postgres")


def sqlite_path(scale: str) -> Path:
    return VAR / f"clientela-{scale.lower()}.sqlite3"


def pg_name(scale: str) -> str:
    return f"clientela_bench_{scale.lower()}"


def database_url(scale: str, db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{sqlite_path(scale)}"
    return f"{PG_SERVER}/{pg_name(scale)}"


def manifest_path(scale: str, db: str) -> Path:
    """What the generator leaves for the runner: seed, counts, timings."""
    return VAR / f"manifest-{scale.lower()}-{db}.json"


def environment(scale: str, db: str) -> dict[str, str]:
    """Environment for any process that should use the bench database of `scale` on `db`."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(scale, db),
        DJANGO_SETTINGS_MODULE="clientela.settings",
        DEBUG="0",
    )
    env.pop("REDIS_URL", None)
    return env


def setup_django(scale: str, db: str) -> None:
    """Point this process at the bench database and set Django up."""
    os.environ.update(environment(scale, db))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
