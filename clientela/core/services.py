"""Write helpers every module's services use: versioned updates, archiving, attachments, notices."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audit
from .errors import ConflictError
from .models import AuditAction, AuditEntry, BusinessRecord


def _conflict(current: BusinessRecord, expected_version: int) -> ConflictError:
    missed = max(current.lock_version - expected_version, 1)
    entries = list(
        audit.history_for(current)
        .filter(action__in=[AuditAction.CHANGED, AuditAction.TRANSITION])
        .order_by("-seq")[:missed]
    )
    if not entries:
        return ConflictError()
    last = entries[0]
    fields = []
    for entry in entries:
        for name in entry.changes:
            try:
                label = str(type(current)._meta.get_field(name).verbose_name)
            except Exception:
                label = name
            if label not in fields:
                fields.append(label)
    message = _(
        "%(who)s changed this record on %(when)s (%(fields)s) while you were editing it. "
        "Nothing of yours was saved: review the current values and save again."
    ) % {
        "who": last.actor_name or _("Someone"),
        "when": date_format(timezone.localtime(last.at), "SHORT_DATETIME_FORMAT"),
        "fields": ", ".join(fields),
    }
    return ConflictError(message, changes=entries)


def lock[R: BusinessRecord](instance: R, expected_version: int | None = None) -> R:
    """Re-read `instance` under a row lock and check nobody saved it since `expected_version`."""
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.lock_version != expected_version:
        raise _conflict(current, expected_version)
    return current


def save_new[R: BusinessRecord](*, actor: Any, instance: R, note: str = "") -> R:
    """Validate, insert and audit a new record."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError as exc:
        # Two people created the same record at the same moment; validation saw neither.
        raise ValidationError(_("A record with these values already exists.")) from exc
    audit.record_created(actor=actor, obj=instance, note=note)
    return instance


@transaction.atomic
def update_fields[R: BusinessRecord](
    *,
    actor: Any,
    instance: R,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    note: str = "",
    exclude_validation: Iterable[str] = (),
) -> R:
    """Apply `data` to a locked copy, validate, bump the edit version, save and audit the diff."""
    current = lock(instance, expected_version)
    before = audit.snapshot(current, data.keys())
    m2m: dict[str, Any] = {}
    for name, value in data.items():
        field = current._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value
        else:
            setattr(current, name, value)
    current.full_clean(exclude=list(exclude_validation) or None)
    after = audit.snapshot(current, [k for k in data if k not in m2m])
    changed = bool(audit.diff(before, after))
    for name, value in m2m.items():
        if sorted(o.pk for o in getattr(current, name).all()) != sorted(o.pk for o in value):
            changed = True
    if not changed:
        return current
    current.lock_version += 1
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError as exc:
        raise ValidationError(_("A record with these values already exists.")) from exc
    for name, value in m2m.items():
        getattr(current, name).set(value)
    audit.record_changed(actor=actor, obj=current, before=before, note=note)
    return current


@transaction.atomic
def archive[R: BusinessRecord](*, actor: Any, instance: R, note: str = "", expected_version: int | None = None) -> R:
    current = lock(instance, expected_version)
    if current.archived_at is not None:
        return current
    current.archived_at = timezone.now()
    current.lock_version += 1
    current.save(update_fields=["archived_at", "lock_version", "updated_at"])
    audit.record(actor=actor, obj=current, action=AuditAction.ARCHIVED, note=note)
    return current


@transaction.atomic
def restore[R: BusinessRecord](*, actor: Any, instance: R, note: str = "") -> R:
    current = lock(instance)
    if current.archived_at is None:
        return current
    current.archived_at = None
    current.lock_version += 1
    current.save(update_fields=["archived_at", "lock_version", "updated_at"])
    audit.record(actor=actor, obj=current, action=AuditAction.RESTORED, note=note)
    return current


@transaction.atomic
def hard_delete(*, actor: Any, instance: models.Model, note: str = "") -> None:
    """Administrators only: the record goes, its audit trail stays."""
    audit.record(actor=actor, obj=instance, action=AuditAction.DELETED, changes=audit.snapshot(instance), note=note)
    try:
        instance.delete()
    except models.ProtectedError as exc:
        raise ValidationError(
            _("This record cannot be deleted because other records depend on it; archive it instead.")
        ) from exc


def history(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return audit.history_for(instance).select_related("actor")
