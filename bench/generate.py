#!/usr/bin/env python
"""Generate a benchmark database: `make bench-data SCALE=XS|S|M|L DB=sqlite|postgres`.

Creates (or recreates) the bench database of the scale — `var/bench/clientela-<scale>.sqlite3` or
the PostgreSQL database `clientela_bench_<scale>` — migrates it, sets secondary indexes (and
SQLite's triggers) aside, runs every generator of `bench/generators/` in dependency order through
bulk inserts, builds the indexes again and brings the trigger-kept mirrors (search index, row
counters) up to date, resets the sequences, gathers planner statistics and writes
`var/bench/manifest-<scale>-<db>.json` for the runner.
Deterministic for a seed and a reference day (`--today`, default today).
"""

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="XS", type=str.upper, choices=list(common.SCALES))
    parser.add_argument("--db", default="sqlite", choices=common.DATABASES)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="reference day (YYYY-MM-DD)")
    parser.add_argument("--quiet", action="store_true")
    return parser.parse_args(argv)


def recreate_database(scale: str, db: str) -> None:
    common.VAR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        path = common.sqlite_path(scale)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = common.pg_name(scale)
    with psycopg.connect(f"{common.PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def reference_moments(today: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """`now` (the day at 18:00) and the first instant of the sixth quarter back."""
    now = dt.datetime.combine(today, dt.time(18, 0), tzinfo=tz)
    quarter = (today.year * 4 + (today.month - 1) // 3) - 5
    start = dt.datetime(quarter // 4, (quarter % 4) * 3 + 1, 1, tzinfo=tz)
    return now, start


def prepare_for_loading(connection) -> list[str]:
    """Set the database up for a bulk load; returns the statements that restore what was set aside.

    As any bulk load does, the secondary indexes (not primary keys, not unique ones: those keep
    checking the data) are dropped and built again afterwards, in one sorted pass each. On SQLite
    the triggers go too, and the mirrors they maintain are rebuilt and recounted after the load
    (see `restore_after_loading`); PostgreSQL keeps its statement triggers, which run once per COPY.
    """
    restore: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode=OFF")  # the file goes back to WAL in finish()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-400000")
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
                "(type = 'trigger' OR (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%'))"
            )
            for kind, name, sql in cursor.fetchall():
                cursor.execute(f'DROP {kind.upper()} "{name}"')
                restore.append(sql)
        else:
            cursor.execute("SET synchronous_commit TO OFF")
            cursor.execute("SET maintenance_work_mem TO '256MB'")
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.indexdef NOT LIKE 'CREATE UNIQUE%' AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                restore.append(sql)
    return restore


def restore_after_loading(connection, restore: list[str]) -> None:
    """Build the indexes again, put the triggers back and bring their mirrors up to date."""
    from django.apps import apps

    from clientela.core import changes
    from clientela.core.rowcount import counter_table, recount

    with connection.cursor() as cursor:
        for sql in restore:
            cursor.execute(sql)
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%content=%'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if counter_table(model._meta.db_table) in tables:
            recount(model)
    changes.bump(connection)  # the load ran without SQLite's change triggers: results kept before it are stale


def finish(connection) -> None:
    """Sequences past the generated keys, planner statistics, WAL back on."""
    from django.apps import apps
    from django.core.management.color import no_style

    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA journal_mode=WAL")
    else:
        connection.ensure_connection()
        raw = connection.connection
        previous = raw.autocommit
        raw.autocommit = True
        try:
            with raw.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        finally:
            raw.autocommit = previous


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    say = (lambda *_: None) if args.quiet else (lambda text: print(text, flush=True))
    scale = common.SCALES[args.scale]
    say(f"Generating scale {scale.name} on {args.db} (seed {args.seed})")

    recreate_database(scale.name, args.db)
    common.setup_django(scale.name, args.db)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.generators import Context, discover, ordered

    step = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    phases = {"migrate": round(time.perf_counter() - step, 2)}
    say(f"  migrate                {phases['migrate']:7.1f} s")

    today = args.today or dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).date()
    now, start = reference_moments(today, ZoneInfo(settings.TIME_ZONE))
    ctx = Context(scale=scale, seed=args.seed, now=now, start=start)
    restore = prepare_for_loading(connection)
    counts: dict[str, int] = {}
    generators = ordered(discover())

    def run(gen) -> None:
        step = time.perf_counter()
        ctx.rng = ctx.rng_for(gen.name)
        with transaction.atomic():
            written = gen.fn(ctx)
        counts.update(written)
        phases[gen.name] = round(time.perf_counter() - step, 2)
        rows = ", ".join(f"{n:,} {label.split('.')[-1]}" for label, n in written.items())
        say(f"  {gen.name:<22} {phases[gen.name]:7.1f} s  {rows}")

    for gen in generators:
        if not gen.late:
            run(gen)

    step = time.perf_counter()
    with transaction.atomic():
        restore_after_loading(connection, restore)
    phases["indexes"] = round(time.perf_counter() - step, 2)
    say(f"  indexes + triggers     {phases['indexes']:7.1f} s")
    step = time.perf_counter()
    finish(connection)
    phases["analyze"] = round(time.perf_counter() - step, 2)
    say(f"  sequences + analyze    {phases['analyze']:7.1f} s")
    for gen in generators:  # through the services: after the sequences are past the generated keys
        if gen.late:
            run(gen)
    total = round(time.perf_counter() - began, 2)
    cpu = round(time.process_time(), 2)
    manifest = {
        "scale": scale.name,
        "db": args.db,
        "seed": args.seed,
        "today": today.isoformat(),
        "generate_s": total,
        "cpu_s": cpu,  # this process's CPU time: what the load of the machine does not inflate
        "phases_s": phases,
        "rows": counts,
        "database": common.database_url(scale.name, args.db),
    }
    common.manifest_path(scale.name, args.db).write_text(json.dumps(manifest, indent=2) + "\n")
    say(f"Done in {total:.1f} s ({cpu:.1f} s of CPU) → {manifest['database']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
