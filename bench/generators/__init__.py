"""Benchmark data generators: one module per Clientela module, found and ordered automatically.

A module adds its data by dropping a file in this package (``complaints.py``, ``contracts.py``…)
that registers one function::

    from bench.generators import Context, generator

    @generator("complaints", requires=("customers",))
    def generate(ctx: Context) -> dict[str, int]:
        rng = ctx.rng                              # its own stream, see below
        customers = ctx.shared["customers"]        # left by the customers generator
        rows = ({"customer_id": ..., "subject": ...} for _ in range(ctx.n(100_000)))
        return {"feedback.Feedback": ctx.insert(Feedback, rows)}

Contract of a generator function:

- ``ctx.n(at_l)`` scales a row count given for scale L (100,000 customers…) down to the run's scale.
- ``ctx.rng`` is a ``random.Random`` seeded from the run's seed and the generator's *name*, so the
  data is the same for the same seed, and adding a generator never changes the others' data.
- ``ctx.now`` is the reference moment (the run's day at 18:00, organisation time zone) and
  ``ctx.start`` the first day of the sixth quarter back (six quarters of history end at ``now``);
  ``ctx.moment(rng, since=, until=)`` draws an office-hours moment between two datetimes.
- ``ctx.shared`` holds what earlier generators left (``requires`` orders them): ``"staff"``
  (role code → user ids), ``"customers"`` (a list of ``GeneratedCustomer``).
- Write through ``ctx.insert(Model, rows)`` with rows as dicts (field name → value): a bulk path
  (COPY on PostgreSQL, batched ``executemany`` on SQLite), never one save per row, no model
  instances, no signals. Give rows explicit primary keys from
  ``ctx.next_id(Model, count)`` when other rows refer to them. No audit entries are written for
  generated history; values must already be what the services would store (normalised, valid).
- Return ``{"app_label.Model": rows written}``; the counts go to the manifest the runner reads.

Generators run in one transaction per generator, in dependency order (ties by name). One that
works through the app's services and queries (closing the ended quarters…) says ``late=True``: it
runs after the bulk load, once the indexes, triggers, sequences and planner statistics are back.
"""

import datetime as dt
import importlib
import itertools
import json
import operator
import pkgutil
import random
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection, models
from django.utils import timezone

from bench.common import Scale

GeneratorFn = Callable[["Context"], dict[str, int]]


@dataclass(frozen=True)
class Generator:
    name: str
    fn: GeneratorFn
    requires: tuple[str, ...] = ()
    late: bool = False  # runs after the bulk load, with the indexes and triggers back


GENERATORS: dict[str, Generator] = {}


def generator(name: str, *, requires: tuple[str, ...] = (), late: bool = False) -> Callable[[GeneratorFn], GeneratorFn]:
    def register(fn: GeneratorFn) -> GeneratorFn:
        GENERATORS[name] = Generator(name, fn, tuple(requires), late)
        return fn

    return register


class GeneratedCustomer(NamedTuple):
    id: int
    country: str
    kind: str
    status: str
    manager_id: int | None
    created_at: dt.datetime
    contact_ids: tuple[int, ...]


@dataclass
class Context:
    scale: Scale
    seed: int
    now: dt.datetime
    start: dt.datetime
    batch_size: int = 2000
    shared: dict[str, Any] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    _next_ids: dict[Any, int] = field(default_factory=dict)

    def n(self, at_l: int, minimum: int = 1) -> int:
        return self.scale.n(at_l, minimum)

    def rng_for(self, name: str) -> random.Random:
        return random.Random(self.seed * 1_000_003 + zlib.crc32(name.encode()))

    def next_id(self, model: Any, count: int) -> range:
        """`count` fresh primary keys for `model` (the bench database starts empty)."""
        first = self._next_ids.get(model)
        if first is None:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            first = last + 1
        self._next_ids[model] = first + count
        return range(first, first + count)

    def insert(self, model: Any, rows: Iterable[dict[str, Any]]) -> int:
        """Insert `rows` (dicts of field name or attname → value); returns how many.

        Bulk paths, no model instances (800,000 rows at scale L) and no signals: on PostgreSQL one
        COPY per call (statement triggers such as the row counters run once); on SQLite one
        prepared INSERT run for every row of a batch of `batch_size` (`executemany`). Values are
        plain Python values (str, int, bool, aware datetime…) converted the way Django converts
        them for the database; fields left out take their default, `auto_now` fields the moment
        of the run.
        """
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        names = {f.name: f.attname for f in model._meta.concrete_fields}
        given = {names.get(key, key) for key in first}
        # An auto-increment key left out is left to the database.
        fields = [
            f for f in model._meta.concrete_fields if not (isinstance(f, models.AutoField) and f.attname not in given)
        ]
        plans: dict[tuple[str, ...], tuple[Callable, list]] = {}

        def plan(keys: tuple[str, ...]) -> tuple[Callable, list]:
            """How to turn a row with these keys into the column values (rows share their keys)."""
            attnames = [names.get(key, key) for key in keys]
            unknown = set(attnames) - {f.attname for f in fields}
            if unknown:
                raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
            position = {attname: i for i, attname in enumerate(attnames)}
            steps = [
                (position[f.attname], _converter(f), None) if f.attname in position else (None, None, _default(f))
                for f in fields
            ]
            return operator.itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],)), steps

        def values() -> Iterator[tuple[Any, ...]]:
            for row in itertools.chain([first], rows):
                keys = tuple(row)
                if keys not in plans:
                    plans[keys] = plan(keys)
                get, steps = plans[keys]
                given = get(row)
                yield tuple(
                    default if i is None else given[i] if convert is None else convert(given[i])
                    for i, convert, default in steps
                )

        qn = connection.ops.quote_name
        table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
        written = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in values():
                        copy.write_row(row)
                        written += 1
                return written
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            for batch in itertools.batched(values(), self.batch_size):
                cursor.executemany(sql, batch)
                written += len(batch)
        return written

    def moment(self, rng: random.Random, *, since: dt.datetime, until: dt.datetime) -> dt.datetime:
        """An office-hours moment (Mon–Fri, 08:00–19:59 local) between `since` and `until`."""
        span = max((until - since).total_seconds(), 1.0)
        moment = since + dt.timedelta(seconds=rng.random() * span)
        local = moment.astimezone(self.now.tzinfo)
        if local.weekday() >= 5:
            local -= dt.timedelta(days=local.weekday() - 4)
        local = local.replace(hour=rng.randint(8, 19), minute=rng.randrange(60), second=rng.randrange(60))
        if local > until:
            local = until - dt.timedelta(minutes=rng.randint(1, 600))
        return local


# Fields whose values, given as plain Python values, go to the database as they are.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


def _converter(field: Any) -> Callable[[Any], Any] | None:
    """How `field`'s value is converted for the database (None: it is not)."""
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":  # what Django's SQLite backend stores: naive UTC text
            return lambda value: None if value is None else str(value.astimezone(dt.UTC).replace(tzinfo=None))
        return None  # psycopg sends aware datetimes as they are
    if isinstance(field, _AS_IS):
        return None
    if isinstance(field, models.JSONField) and connection.vendor == "sqlite" and field.encoder is None:
        return json.dumps  # what the backend's adapt_json_value stores, without the per-value field calls
    return lambda value: field.get_db_prep_save(value, connection)


def _default(field: Any) -> Any:
    value = timezone.now() if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else None
    if value is None:
        return field.get_db_prep_save(field.get_default(), connection)
    convert = _converter(field)
    return convert(value) if convert else value


def discover() -> dict[str, Generator]:
    """Import every module of this package (each registers its generator)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return GENERATORS


def ordered(generators: dict[str, Generator]) -> list[Generator]:
    """Dependency order; a generator whose requirement is missing is an error."""
    done: list[Generator] = []
    seen: set[str] = set()

    def visit(gen: Generator, path: tuple[str, ...]) -> None:
        if gen.name in seen:
            return
        if gen.name in path:
            raise ValueError(f"generator dependency cycle: {' → '.join((*path, gen.name))}")
        for name in sorted(gen.requires):
            if name not in generators:
                raise ValueError(f"generator {gen.name!r} requires {name!r}, which does not exist")
            visit(generators[name], (*path, gen.name))
        seen.add(gen.name)
        done.append(gen)

    for name in sorted(generators):
        visit(generators[name], ())
    return done
