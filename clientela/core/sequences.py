"""Gap-tolerant, collision-free human numbers (CLI-000123, QJ-2026-0001…)."""

from django.db import connection, transaction

from .models import Sequence


def next_value(key: str) -> int:
    """Atomically increment and return the counter `key` (created at 1)."""
    qn = connection.ops.quote_name
    table, key_col, value_col = qn(Sequence._meta.db_table), qn("key"), qn("last_value")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {value_col}) VALUES (%s, 1) "  # noqa: S608 (names are ours)
            f"ON CONFLICT ({key_col}) DO UPDATE SET {value_col} = {table}.{value_col} + 1 RETURNING {value_col}",
            [key],
        )
        return int(cursor.fetchone()[0])


def ensure_at_least(key: str, value: int) -> None:
    """Move the counter forward so the next number is above `value` (after imports)."""
    with transaction.atomic():
        seq, _ = Sequence.objects.select_for_update().get_or_create(key=key)
        if seq.last_value < value:
            seq.last_value = value
            seq.save(update_fields=["last_value"])
