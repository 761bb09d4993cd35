"""The version of the business data, kept by the database, and results cached on it.

Some results are expensive and change only when the records they are computed from change: an
indicator of a quarter that has ended is a function of the rows, not of the clock (every deadline
of an ended quarter has passed, every survey window is whole). Computing the sixteen indicators
of a quarter reads hundreds of thousands of rows; keeping them is safe only if the kept value is
never served after a row it was computed from has changed, whoever wrote it.

So the database counts its own writes. Every table of the business modules has a trigger that,
in the same transaction as the change, adds one to a counter in `core_dataversion`
(`DataVersion`):

- SQLite: row triggers on insert, update and delete.
- PostgreSQL: statement triggers (one bump per statement that changed rows, whatever their
  number) and one on TRUNCATE. The counter has one row per slot and a backend writes to its own
  slot (its process id modulo `SLOTS`), so concurrent writers rarely wait for each other.

`version()` reads the counters in one query. A cached result is keyed on the counters, the code
and the time zone, so it is served only while none of them has moved: a change through a service,
`QuerySet.update()`, a bulk load or raw SQL moves the counter, and a rolled-back change leaves it
where it was. A result is stored only once the transaction that computed it has committed
(inside a transaction that writes, the counters include that transaction's own uncommitted
changes, so the key is one no committed state will have).

What is not counted: the audit trail, notifications, numbering sequences, import and scheduled
jobs, API tokens (their last use is written on every call), a user's last sign-in and this
counter itself. No cached
computation may read them; `tests/test_changes.py` checks that against the SQL the indicators
run. After restoring a backup, the `restore` command clears the cache (the counters go back with
the data).

The triggers are created after every `migrate`, for every table of the business modules, so a
new model is counted from its first migration.
"""

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_migrate
from django.utils import timezone

TABLE = "core_dataversion"
SLOTS = 16
TIMEOUT = 7 * 24 * 3600  # an entry of an old version is never read again; let the cache drop it
FUNCTION = "clientela_data_changed"
TRIGGER = "clientela_changed"

UNTRACKED = frozenset(
    {
        "core_audithead",
        "core_auditentry",
        "core_sequence",
        "core_notification",
        "core_importjob",
        "core_scheduledjob",
        "core_dataversion",
        "accounts_apitoken",  # its last use is written on every API request
    }
)
# Columns whose updates do not count: signing in writes the user's last_login.
UPDATES_NOT_COUNTED = {"accounts_user": frozenset({"last_login"})}


def _counted_columns(conn: Any, table: str) -> list[str] | None:
    """The columns an update must touch to count, or None for any update."""
    ignored = UPDATES_NOT_COUNTED.get(table)
    if not ignored:
        return None
    with conn.cursor() as cursor:
        columns = [c.name for c in conn.introspection.get_table_description(cursor, table)]
    return [c for c in columns if c not in ignored]


def tracked_tables() -> list[str]:
    """Every table of the business modules whose writes move the version."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name.startswith("clientela.") and model._meta.managed and not model._meta.proxy
    }
    return sorted(tables - UNTRACKED)


# --- the triggers ----------------------------------------------------------------------------------


def _bump_sql(slot: str) -> str:
    """One more change in `slot` (an SQL expression), creating its row if a flush removed it."""
    return (
        f'INSERT INTO "{TABLE}" ("slot", "changes") VALUES ({slot}, 1) '  # noqa: S608 (names are ours)
        f'ON CONFLICT ("slot") DO UPDATE SET "changes" = "{TABLE}"."changes" + 1'
    )


def _sqlite_statements(table: str, columns: list[str] | None) -> list[str]:
    bump = _bump_sql("0")
    update = "UPDATE" if columns is None else "UPDATE OF " + ", ".join(f'"{c}"' for c in columns)
    # A column list is written again after every migrate: a column added later must count too.
    again = [f'DROP TRIGGER IF EXISTS "{TRIGGER}_{table}_U"'] if columns is not None else []
    return again + [
        f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER}_{table}_{event[0]}" AFTER {event} ON "{table}" BEGIN {bump}; END'
        for event in ("INSERT", update, "DELETE")
    ]


def _postgresql_function() -> str:
    return (
        f'CREATE OR REPLACE FUNCTION "{FUNCTION}"() RETURNS trigger LANGUAGE plpgsql AS $$\n'  # noqa: S608 (names are ours)
        "BEGIN\n"
        "  IF TG_LEVEL = 'STATEMENT' AND (TG_OP = 'INSERT' OR TG_OP = 'UPDATE') THEN\n"
        "    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;\n"
        "  ELSIF TG_LEVEL = 'STATEMENT' AND TG_OP = 'DELETE' THEN\n"
        "    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;\n"
        "  END IF;\n"
        f"  {_bump_sql(f'pg_backend_pid() % {SLOTS}')};\n"
        "  RETURN NULL;\n"
        "END $$"
    )


def _postgresql_statements(table: str, columns: list[str] | None) -> list[str]:
    statement = "FOR EACH STATEMENT"
    events = {
        "i": f"AFTER INSERT ON {{t}} REFERENCING NEW TABLE AS new_rows {statement}",
        "u": f"AFTER UPDATE ON {{t}} REFERENCING NEW TABLE AS new_rows {statement}",
        "d": f"AFTER DELETE ON {{t}} REFERENCING OLD TABLE AS old_rows {statement}",
        "t": f"AFTER TRUNCATE ON {{t}} {statement}",
    }
    if columns is not None:  # transition tables do not go with a column list: one bump per row
        events["u"] = "AFTER UPDATE OF " + ", ".join(f'"{c}"' for c in columns) + " ON {t} FOR EACH ROW"
    statements = []
    for suffix, when in events.items():
        name = f"{TRIGGER}_{suffix}"
        statements.append(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        statements.append(
            f'CREATE TRIGGER "{name}" {when.format(t=chr(34) + table + chr(34))} EXECUTE FUNCTION "{FUNCTION}"()'
        )
    return statements


def install(conn: Any = None) -> int:
    """Create the triggers that are missing (all of them on PostgreSQL, where creating is cheap and
    replaces an older definition); returns how many tables are counted."""
    conn = conn or connection
    existing = set(conn.introspection.table_names())
    tables = [t for t in tracked_tables() if t in existing]
    if conn.vendor not in ("sqlite", "postgresql") or TABLE not in existing:
        return 0
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for table in tables:
                for statement in _sqlite_statements(table, _counted_columns(conn, table)):
                    cursor.execute(statement)
        else:
            cursor.execute(_postgresql_function())
            for table in tables:
                for statement in _postgresql_statements(table, _counted_columns(conn, table)):
                    cursor.execute(statement)
    return len(tables)


def _install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    if getattr(sender, "label", None) == "core":
        install(connections[using])


def connect_signals() -> None:
    post_migrate.connect(_install_after_migrate, dispatch_uid="clientela.core.changes")


def bump(conn: Any = None) -> None:
    """Move the version by hand (after a load that ran with the triggers set aside)."""
    conn = conn or connection
    with conn.cursor() as cursor:
        cursor.execute(_bump_sql("0"))


# --- the version and what is cached on it ---------------------------------------------------------


def settled(period: Any, today: dt.date) -> bool:
    """Whether what is computed for `period` (a `core.periods.Period`) depends only on the records:
    it ended before today, so every deadline in it has passed and every window is whole."""
    return period.end < min(today, timezone.localdate())


_snapshot: ContextVar[dict[str, Any] | None] = ContextVar("clientela_changes_snapshot", default=None)


@contextmanager
def snapshot() -> Iterator[None]:
    """A unit of work that only reads (a report, a PDF): inside it the version is read once, and a
    value read through `remembered()` once, however many of its parts ask for them."""
    token = _snapshot.set({}) if _snapshot.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _snapshot.reset(token)


def remembered(name: str, read: Callable[[], Any]) -> Any:
    """`read()`, once per snapshot (every time outside one)."""
    memo = _snapshot.get()
    if memo is None:
        return read()
    if name not in memo:
        memo[name] = read()
    return memo[name]


def version() -> tuple[tuple[int, int], ...]:
    """The counters, in one query: equal versions mean no counted table has changed in between."""
    return remembered("data-version", _read_version)


def _read_version() -> tuple[tuple[int, int], ...]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "slot", "changes" FROM "{TABLE}" ORDER BY "slot"')  # noqa: S608 (names are ours)
        return tuple((int(slot), int(changes)) for slot, changes in cursor.fetchall())


@memoize
def code_fingerprint() -> str:
    """Changes with any file of the application: a new release never reads an older one's results."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(os.environ.get("CLIENTELA_RELEASE", "").encode())
    return digest.hexdigest()


def _key(name: str, parts: Sequence[Any], data_version: tuple[tuple[int, int], ...]) -> str:
    raw = repr((code_fingerprint(), settings.TIME_ZONE, data_version, name, tuple(parts)))
    return f"clientela:{name}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


def cached_many(name: str, items: Iterable[tuple[Any, Sequence[Any]]], compute: Callable[[Any], Any]) -> list[Any]:
    """`compute(item)` for every item, in order, read from the cache where the counted tables have
    not changed since it was computed; `items` are (item, key parts) pairs, the parts naming what
    the result depends on besides the data. One query for the version and one cache read."""
    pairs = list(items)
    if not pairs:
        return []
    data_version = version()
    keys = [_key(name, parts, data_version) for _item, parts in pairs]
    found = cache.get_many(keys)
    results, fresh = [], {}
    for key, (item, _parts) in zip(keys, pairs, strict=True):
        if key in found:
            results.append(found[key])
        else:
            results.append(compute(item))
            fresh[key] = results[-1]
    if fresh:
        transaction.on_commit(lambda: cache.set_many(fresh, TIMEOUT))
    return results
