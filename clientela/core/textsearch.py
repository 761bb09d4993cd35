"""Substring search that does not scan the table.

Records keep a normalised text column (`search_text`: lower case, no accents, see
`core.importing.normalise`), and a query matches when every one of its terms occurs in it. Without
an index that is a scan of every row (`LIKE '%term%'`); with one it is a lookup:

- PostgreSQL: a GIN index with pg_trgm's trigram operator class answers `LIKE '%term%'` itself.
- SQLite: an FTS5 table with the trigram tokenizer mirrors the column (triggers keep it in step
  on every insert, update and delete, whatever writes the row) and answers the terms of three
  characters or more; shorter terms are checked on the rows it found.

A module makes a column searchable in two steps: a migration operation that builds the index
for the database in use, ``CreateTextSearchIndex("customer", "search_text")``, and, in its
``AppConfig.ready()``, ``register_text_search(Customer, "search_text")`` so that
``text_search(queryset, "search_text", query)`` uses it. On SQLite, a later migration that
rebuilds the table (SQLite's way of altering columns) drops its triggers: after every `migrate`
they are checked and, if missing, created again and the mirror rebuilt.
"""

import unicodedata
from typing import Any

from django.db import connection
from django.db.migrations.operations.base import Operation
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_migrate

from .importing import normalise

MAX_TERMS = 8
TRIGRAM = 3  # the trigram index answers terms at least this long

_registered: set[tuple[type, str]] = set()


def fts_table(db_table: str, field: str) -> str:
    return f"{db_table}_{field}_fts"


def _sqlite_statements(table: str, column: str) -> list[str]:
    fts = fts_table(table, column)
    return [
        f'CREATE VIRTUAL TABLE IF NOT EXISTS "{fts}" USING fts5("{column}", content="{table}", '
        "content_rowid=\"id\", tokenize='trigram')",
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_ai" AFTER INSERT ON "{table}" BEGIN '  # noqa: S608 (names are ours)
        f'INSERT INTO "{fts}"(rowid, "{column}") VALUES (new."id", new."{column}"); END',
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_ad" AFTER DELETE ON "{table}" BEGIN '  # noqa: S608 (names are ours)
        f'INSERT INTO "{fts}"("{fts}", rowid, "{column}") VALUES (\'delete\', old."id", old."{column}"); END',
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_au" AFTER UPDATE OF "{column}" ON "{table}" BEGIN '  # noqa: S608 (names are ours)
        f'INSERT INTO "{fts}"("{fts}", rowid, "{column}") VALUES (\'delete\', old."id", old."{column}"); '
        f'INSERT INTO "{fts}"(rowid, "{column}") VALUES (new."id", new."{column}"); END',
    ]


def _sqlite_rebuild(table: str, column: str) -> str:
    fts = fts_table(table, column)
    return f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')'  # noqa: S608 (names are ours)


class CreateTextSearchIndex(Operation):
    """Migration operation: index `model_name.field` for substring search on this database."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str, field: str) -> None:
        self.model_name = model_name
        self.field = field

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # no model changes: the index lives beside the model

    def _names(self, app_label: str, state: Any) -> tuple[str, str]:
        model = state.apps.get_model(app_label, self.model_name)
        return model._meta.db_table, model._meta.get_field(self.field).column

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table, column = self._names(app_label, to_state)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
            )
        elif vendor == "sqlite":
            for statement in _sqlite_statements(table, column):
                schema_editor.execute(statement)
            schema_editor.execute(_sqlite_rebuild(table, column))

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table, column = self._names(app_label, from_state)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')
        elif vendor == "sqlite":
            fts = fts_table(table, column)
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{fts}_{suffix}"')
            schema_editor.execute(f'DROP TABLE IF EXISTS "{fts}"')

    def describe(self) -> str:
        return f"Create a text search index on {self.model_name}.{self.field}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_{self.field}_text_search"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "field": self.field}


def register_text_search(model: type, field: str) -> None:
    """`text_search(…, field, …)` on `model` may use the index a migration created."""
    _registered.add((model, field))
    post_migrate.connect(_repair_after_migrate, dispatch_uid="clientela.core.textsearch")


def _repair_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for model, field in sorted(_registered, key=lambda r: (r[0]._meta.db_table, r[1])):
            if model._meta.app_label != getattr(sender, "label", None):
                continue
            table, column = model._meta.db_table, model._meta.get_field(field).column
            fts = fts_table(table, column)
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN (%s, %s, %s, %s)",
                [fts, f"{fts}_ai", f"{fts}_ad", f"{fts}_au"],
            )
            found = {row[0] for row in cursor.fetchall()}
            if fts not in found:
                continue  # not migrated that far yet
            if len(found) < 4:
                for statement in _sqlite_statements(table, column):
                    cursor.execute(statement)
                cursor.execute(_sqlite_rebuild(table, column))


def terms(query: str) -> list[str]:
    """The normalised terms of a user's query (at most eight). Control characters (a NUL byte, a
    line feed pasted from elsewhere) separate terms: no stored text contains them, and SQLite's
    full-text syntax and PostgreSQL's strings cannot carry a NUL."""
    printable = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in query)
    return normalise(printable).split()[:MAX_TERMS]


def _match_expression(words: list[str]) -> str:
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def matching_ids(model: type, field: str, words: list[str]) -> RawSQL | None:
    """A subquery of the ids whose `field` contains every word, answered by the SQLite trigram
    mirror (None when it cannot answer: another database, no index, or no word long enough)."""
    if connection.vendor != "sqlite" or (model, field) not in _registered:
        return None
    long_words = [w for w in words if len(w) >= TRIGRAM]
    if not long_words:
        return None
    fts = fts_table(model._meta.db_table, model._meta.get_field(field).column)
    sql = f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s'  # noqa: S608 (names are ours)
    return RawSQL(sql, [_match_expression(long_words)])  # noqa: S611 (the words are parameters)


def term_q(model: type, field: str, word: str, *, path: str = "") -> Q:
    """A condition "`field` of `model` contains `word`", for a query that reaches `model` through
    `path` (e.g. ``"customer__"`` from a contact): combine several with ``|`` across models."""
    ids = matching_ids(model, field, [word]) if len(word) >= TRIGRAM else None
    if ids is not None:
        return Q(**{f"{path}pk__in": ids})
    if path:
        # A subquery on the other model, so its own index answers it even inside an OR.
        return Q(**{f"{path}pk__in": model._default_manager.filter(**{f"{field}__contains": word}).values("pk")})
    return Q(**{f"{field}__contains": word})


def text_search(queryset: QuerySet, field: str, query: str) -> QuerySet:
    """Rows of `queryset` whose `field` contains every term of `query` (accents and case ignored)."""
    words = terms(query)
    if not words:
        return queryset
    ids = matching_ids(queryset.model, field, words)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
        words = [w for w in words if len(w) < TRIGRAM]
    for word in words:
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset
