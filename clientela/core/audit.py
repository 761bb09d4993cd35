"""The audit trail: who changed what and when, append-only and hash-chained.

Every entry's hash covers the previous entry's hash, its metadata and the hash of its payload
(the field changes). Personal data inside a payload can be redacted on an erasure request: the
payload hash stays, so the chain still verifies, and the redaction itself is recorded.
"""

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from .middleware import current_request_id
from .models import AuditAction, AuditEntry, AuditHead

# Fields that change on every save and say nothing to an auditor.
IGNORED_FIELDS = frozenset({"updated_at", "lock_version", "search_text"})
GENESIS_HASH = "0" * 64

# The moment entries are stamped with while history is being loaded (see `as_of`).
_as_of: ContextVar[dt.datetime | None] = ContextVar("audit_as_of", default=None)


@contextmanager
def as_of(moment: dt.datetime | None) -> Iterator[None]:
    """Stamp the entries written inside with `moment` instead of now: for loading past history
    (the demo's six quarters) so each step shows when it happened. Only code can use it; the
    entries still join the chain in the order they are written, and `moment` is never in the
    future."""
    token = _as_of.set(min(moment, timezone.now()) if moment else None)
    try:
        yield
    finally:
        _as_of.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # e.g. a django-countries Country becomes its code


def canonical(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The auditable values of a record: concrete fields, foreign keys as {"id", "repr"}."""
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in IGNORED_FIELDS:
            continue
        if wanted is not None and field.name not in wanted:
            continue
        if field.is_relation:
            fk_id = getattr(obj, field.attname)
            if fk_id is None:
                data[field.name] = None
            else:
                related = getattr(obj, field.name, None)
                data[field.name] = {"id": fk_id, "repr": str(related) if related is not None else str(fk_id)}
        else:
            data[field.name] = _plain(getattr(obj, field.attname))
    for field in obj._meta.many_to_many:
        if wanted is not None and field.name not in wanted:
            continue
        if obj.pk is not None:
            data[field.name] = sorted([o.pk, str(o)] for o in getattr(obj, field.name).all())
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field → [old, new] for the values that differ."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if canonical(before.get(name)) != canonical(value)
    }


def _payload_hash(entry: AuditEntry) -> str:
    # The payload is what may hold personal data: the record's name, the changes and the note.
    payload = {"object_repr": entry.object_repr, "changes": entry.changes, "note": entry.note}
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


def _entry_hash(entry: AuditEntry) -> str:
    parts = [
        entry.prev_hash,
        entry.seq,
        _plain(entry.at),
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.content_type_id,
        entry.object_id,
        entry.request_id,
        entry.payload_hash,
    ]
    return hashlib.sha256(canonical(parts).encode()).hexdigest()


def _actor_name(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return (actor.get_full_name() or actor.get_username())[:150]


# Entries recorded inside `batch()`, appended together when it ends.
_batch: ContextVar[list[AuditEntry] | None] = ContextVar("audit_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Append the entries recorded inside together, when the block ends: one lock of the chain's
    head, one insert. A service that records several entries (a survey response and its
    invitation's new status) holds the lock, which every audited write waits for, only for the end
    of its transaction. Use inside the service's transaction; if the block fails, nothing is
    appended (and the transaction rolls back)."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set([])
    try:
        yield
        entries = _batch.get() or []
    finally:
        _batch.reset(token)
    if entries:
        _append(entries)


@transaction.atomic
def _append(entries: list[AuditEntry]) -> None:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditHead.objects.create(pk=1)
    now = timezone.now()
    seq, prev_hash = head.last_seq, head.last_hash
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev_hash
        entry.at = entry.at or now
        entry.payload_hash = _payload_hash(entry)
        entry.hash = prev_hash = _entry_hash(entry)
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        AuditEntry.objects.bulk_create(entries)
    AuditHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev_hash)


def record(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry for `obj` (at the end of the enclosing `batch()`, if any). Call inside the
    service's transaction."""
    changes = _plain(changes or {})
    entry = AuditEntry(
        at=_as_of.get(),  # None: the moment it joins the chain
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes,
        note=note or "",
        request_id=current_request_id() or "",
    )
    pending = _batch.get()
    if pending is not None:
        pending.append(entry)
    else:
        _append([entry])
    return entry


def record_created(*, actor: Any, obj: models.Model, note: str = "") -> AuditEntry:
    values = {k: v for k, v in snapshot(obj).items() if v not in (None, "", [], False)}
    return record(
        actor=actor, obj=obj, action=AuditAction.CREATED, changes={k: [None, v] for k, v in values.items()}, note=note
    )


def record_changed(*, actor: Any, obj: models.Model, before: dict[str, Any], note: str = "") -> AuditEntry | None:
    """Record the difference between `before` (a snapshot) and the record now; nothing if equal."""
    changes = diff(before, snapshot(obj, before.keys()))
    if not changes:
        return None
    return record(actor=actor, obj=obj, action=AuditAction.CHANGED, changes=changes, note=note)


def record_transition(
    *, actor: Any, obj: models.Model, old: str, new: str, field: str = "status", note: str = ""
) -> AuditEntry:
    return record(actor=actor, obj=obj, action=AuditAction.TRANSITION, changes={field: [old, new]}, note=note)


def history_for(obj: models.Model):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("content_type")


@transaction.atomic
def redact(*, actor: Any, obj: models.Model, reason: str) -> int:
    """Blank the personal data in `obj`'s audit payloads (right to erasure); the chain still verifies."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    now = timezone.now()
    count = AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk), redacted_at__isnull=True).count()
    # The one sanctioned write to past entries: the payload hash is kept, so verification holds.
    models.QuerySet(AuditEntry).filter(content_type=ct, object_id=str(obj.pk), redacted_at__isnull=True).update(
        changes={}, object_repr=_("[anonymised]"), note="", redacted_at=now
    )
    record(actor=actor, obj=obj, action=AuditAction.ANONYMISED, note=reason)
    return count


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; name the first entry that does not match."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    qs = models.QuerySet(AuditEntry).order_by("seq")
    for entry in qs.iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, _("entry %(seq)s is missing") % {"seq": expected_seq})
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, entry.seq, _("it does not follow the previous entry"))
        if entry.redacted_at is None and _payload_hash(entry) != entry.payload_hash:
            return ChainReport(False, checked, entry.seq, _("its recorded changes were altered"))
        if _entry_hash(entry) != entry.hash:
            return ChainReport(False, checked, entry.seq, _("its contents were altered"))
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != checked:
        return ChainReport(False, checked, checked + 1, _("entries after %(seq)s were removed") % {"seq": checked})
    return ChainReport(True, checked)
