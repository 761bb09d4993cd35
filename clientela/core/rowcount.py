"""Exact row counts without counting: a one-row table per business table, kept by the database.

A list shows "99,216 records · page 1 of 3,969". Counting the rows of a 100,000-row table takes
milliseconds on every page view (a scan of an index at best); reading a counter takes one
primary-key lookup. The counter holds `total` (every row) and `live` (rows not archived,
`archived_at IS NULL`) and is maintained by triggers in the same transaction as the change, so
it is exact whatever writes the table (services, bulk loads, `QuerySet.update()`, raw SQL) and a
rolled-back change leaves it untouched:

- SQLite: row triggers on insert, delete and on updates of `archived_at`.
- PostgreSQL: statement triggers with transition tables (one counter update per statement,
  whatever the number of rows) and one on TRUNCATE.

A module counts a table with the migration operation ``CreateRowCount("customer")`` and, in its
``AppConfig.ready()``, ``register_row_count(Customer)``; ``row_count(Customer, live=True)`` then
answers (None if the counter is not there, so callers fall back to counting). On SQLite a later
migration that rebuilds the table drops its triggers: after every `migrate` they are checked and,
if missing, created again and the counter recounted.
"""

from typing import Any

from django.db import connection
from django.db.migrations.operations.base import Operation
from django.db.models.signals import post_migrate

LIVE_COLUMN = "archived_at"

_registered: set[type] = set()


def counter_table(db_table: str) -> str:
    return f"{db_table}_rowcount"


def _recount(table: str) -> str:
    counter = counter_table(table)
    return (
        f'UPDATE "{counter}" SET "total" = (SELECT COUNT(*) FROM "{table}"), '  # noqa: S608 (names are ours)
        f'"live" = (SELECT COUNT(*) FROM "{table}" WHERE "{LIVE_COLUMN}" IS NULL) WHERE "id" = 1'
    )


def _sqlite_statements(table: str) -> list[str]:
    counter = counter_table(table)
    live_new, live_old = f'(new."{LIVE_COLUMN}" IS NULL)', f'(old."{LIVE_COLUMN}" IS NULL)'
    return [
        f'CREATE TABLE IF NOT EXISTS "{counter}" '
        '("id" integer NOT NULL PRIMARY KEY, "total" integer NOT NULL, "live" integer NOT NULL)',
        f'INSERT OR IGNORE INTO "{counter}" ("id", "total", "live") VALUES (1, 0, 0)',  # noqa: S608 (names are ours)
        f'CREATE TRIGGER IF NOT EXISTS "{counter}_ai" AFTER INSERT ON "{table}" BEGIN '  # noqa: S608 (names are ours)
        f'UPDATE "{counter}" SET "total" = "total" + 1, "live" = "live" + {live_new} WHERE "id" = 1; END',
        f'CREATE TRIGGER IF NOT EXISTS "{counter}_ad" AFTER DELETE ON "{table}" BEGIN '  # noqa: S608 (names are ours)
        f'UPDATE "{counter}" SET "total" = "total" - 1, "live" = "live" - {live_old} WHERE "id" = 1; END',
        f'CREATE TRIGGER IF NOT EXISTS "{counter}_au" AFTER UPDATE OF "{LIVE_COLUMN}" ON "{table}" '  # noqa: S608 (names are ours)
        f"WHEN {live_new} <> {live_old} BEGIN "
        f'UPDATE "{counter}" SET "live" = "live" + {live_new} - {live_old} WHERE "id" = 1; END',
    ]


def _postgresql_statements(table: str) -> list[str]:
    counter = counter_table(table)
    function = f"{counter}_change"
    live = f'COUNT(*) FILTER (WHERE "{LIVE_COLUMN}" IS NULL)'
    statements = [
        f'CREATE TABLE IF NOT EXISTS "{counter}" '
        '("id" smallint NOT NULL PRIMARY KEY, "total" bigint NOT NULL, "live" bigint NOT NULL)',
        f'INSERT INTO "{counter}" ("id", "total", "live") VALUES (1, 0, 0) ON CONFLICT ("id") DO NOTHING',  # noqa: S608 (names are ours)
        f'CREATE OR REPLACE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$\n'  # noqa: S608 (names are ours)
        "DECLARE d_total bigint := 0; d_live bigint := 0; n bigint; l bigint;\n"
        "BEGIN\n"
        "  IF TG_OP = 'TRUNCATE' THEN\n"
        f'    UPDATE "{counter}" SET "total" = 0, "live" = 0 WHERE "id" = 1;\n'
        "    RETURN NULL;\n"
        "  END IF;\n"
        "  IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
        f"    SELECT COUNT(*), {live} INTO n, l FROM new_rows;\n"
        "    d_total := d_total + n; d_live := d_live + l;\n"
        "  END IF;\n"
        "  IF TG_OP IN ('DELETE', 'UPDATE') THEN\n"
        f"    SELECT COUNT(*), {live} INTO n, l FROM old_rows;\n"
        "    d_total := d_total - n; d_live := d_live - l;\n"
        "  END IF;\n"
        "  IF d_total <> 0 OR d_live <> 0 THEN\n"
        f'    UPDATE "{counter}" SET "total" = "total" + d_total, "live" = "live" + d_live WHERE "id" = 1;\n'
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END $$",
    ]
    triggers = {
        "ins": "AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_rows",
        "upd": "AFTER UPDATE ON {t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "del": "AFTER DELETE ON {t} REFERENCING OLD TABLE AS old_rows",
        "trunc": "AFTER TRUNCATE ON {t}",
    }
    for suffix, when in triggers.items():
        name = f"{counter}_{suffix}"
        statements.append(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        statements.append(
            f'CREATE TRIGGER "{name}" {when.format(t=chr(34) + table + chr(34))} '
            f'FOR EACH STATEMENT EXECUTE FUNCTION "{function}"()'
        )
    return statements


class CreateRowCount(Operation):
    """Migration operation: keep an exact count of `model_name`'s rows (all, and not archived)."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # no model changes: the counter lives beside the model

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = to_state.apps.get_model(app_label, self.model_name)._meta.db_table
        vendor = schema_editor.connection.vendor
        statements = {"sqlite": _sqlite_statements, "postgresql": _postgresql_statements}.get(vendor)
        if statements is None:
            return
        for statement in statements(table):
            schema_editor.execute(statement, params=None)
        schema_editor.execute(_recount(table), params=None)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        counter = counter_table(table)
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{counter}_{suffix}"')
        elif vendor == "postgresql":
            for suffix in ("ins", "upd", "del", "trunc"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{counter}_{suffix}" ON "{table}"')
            schema_editor.execute(f'DROP FUNCTION IF EXISTS "{counter}_change"()')
        else:
            return
        schema_editor.execute(f'DROP TABLE IF EXISTS "{counter}"')

    def describe(self) -> str:
        return f"Keep an exact row count of {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_row_count"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [], {"model_name": self.model_name}


def register_row_count(model: type) -> None:
    """`row_count(model)` may read the counter a migration created."""
    _registered.add(model)
    post_migrate.connect(_repair_after_migrate, dispatch_uid="clientela.core.rowcount")


def _repair_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for model in sorted(_registered, key=lambda m: m._meta.db_table):
            if model._meta.app_label != getattr(sender, "label", None):
                continue
            table = model._meta.db_table
            counter = counter_table(table)
            names = [counter, f"{counter}_ai", f"{counter}_ad", f"{counter}_au"]
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN (%s, %s, %s, %s)",
                names,
            )
            found = {row[0] for row in cursor.fetchall()}
            if counter in found and len(found) < len(names):
                for statement in _sqlite_statements(table):
                    cursor.execute(statement)
                cursor.execute(_recount(table))


def row_count(model: type, *, live: bool = True) -> int | None:
    """Rows of `model` (not archived when `live`), read from its counter in one query."""
    if model not in _registered or connection.vendor not in ("sqlite", "postgresql"):
        return None
    column = "live" if live else "total"
    counter = counter_table(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{counter}" WHERE "id" = 1')  # noqa: S608 (names are ours)
        row = cursor.fetchone()
    return int(row[0]) if row else None


def recount(model: type) -> None:
    """Count again (after loading data with triggers disabled, or to check the counter)."""
    with connection.cursor() as cursor:
        cursor.execute(_recount(model._meta.db_table))
