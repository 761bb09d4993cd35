"""Core records: base classes for business records, the audit trail, sequences, attachments,
notifications, import jobs and scheduled jobs."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class BusinessRecord(TimeStampedModel):
    """A record of the process: versioned for optimistic concurrency and archived, not deleted."""

    lock_version = models.PositiveIntegerField(
        _("edit version"),
        default=1,
        editable=False,
        help_text=_("Increases with every saved change; a stale version means someone else saved first."),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class AuditAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    TRANSITION = "transition", _("Status changed")
    ARCHIVED = "archived", _("Archived")
    RESTORED = "restored", _("Restored")
    DELETED = "deleted", _("Deleted")
    ANONYMISED = "anonymised", _("Anonymised")
    VIEWED = "viewed", _("Personal data viewed")
    EXPORTED = "exported", _("Exported")
    IMPORTED = "imported", _("Imported")
    ATTACHED = "attached", _("File attached")
    LOGIN = "login", _("Signed in")


class AuditHead(models.Model):
    """The single row that holds the end of the hash chain; locking it serialises audit writes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("The audit trail is append-only.")

    def delete(self):  # type: ignore[override]
        raise PermissionError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One change to one business record. Append-only; each entry hashes the previous one."""

    seq = models.BigIntegerField(_("sequence"), primary_key=True)
    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("who (name)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    payload_hash = models.CharField(_("payload hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    redacted_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["content_type", "object_id", "seq"], name="core_audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


class Sequence(models.Model):
    """Named counters for human numbers (CLI-000123, QJ-2026-0001, PA-2026-0001…)."""

    key = models.CharField(_("key"), max_length=50, unique=True)
    last_value = models.PositiveIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random so no one can guess another file's address.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to any business record (contract documents, evidence, complaint files)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("purpose"), max_length=30, default="document")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_attach_target_idx")]

    def __str__(self) -> str:
        return self.original_name


class Notification(models.Model):
    """A message for one user: shown under the bell and, unless they chose the digest, e-mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="core_notif_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="core_notification_once",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ImportJob(models.Model):
    """An import run from the upload page: a preview (dry run) first, then the real write."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        PREVIEW = "preview", _("Ready to import")
        INVALID = "invalid", _("Has errors")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    file = models.FileField(_("file"), upload_to="imports/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"

    @property
    def progress_key(self) -> str:
        return f"import-progress:{self.token}"


class ScheduledJob(models.Model):
    """When each periodic job is next due; claiming a run is one conditional UPDATE, so several
    schedulers never enqueue the same run twice."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")

    def __str__(self) -> str:
        return self.name


class SiteSetting(models.Model):
    """Small installation-wide values (organisation name, demo marker, thresholds)."""

    key = models.CharField(max_length=100, unique=True)
    value = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("setting")

    def __str__(self) -> str:
        return self.key


def default_working_hours() -> dict[str, list[list[str]]]:
    """Monday to Friday, 09:00–18:00 (weekday keys: "0" is Monday)."""
    return {str(day): [["09:00", "18:00"]] for day in range(5)}


class BusinessCalendar(BusinessRecord):
    """When the organisation works: weekly hours, time zone, public holidays of a country and
    region, and company-specific days. SLA clocks count business time in the default calendar."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", help_text=_("For example Europe/Madrid.")
    )
    country = models.CharField(
        _("country for public holidays"), max_length=2, default="ES", help_text=_("ISO code, for example ES.")
    )
    subdivision = models.CharField(
        _("region for public holidays"),
        max_length=10,
        blank=True,
        help_text=_("Optional: region code for regional holidays, for example MD (Madrid) or CT (Catalonia)."),
    )
    hours = models.JSONField(
        _("working hours"),
        default=default_working_hours,
        help_text=_("Working intervals per weekday (0 is Monday)."),
    )
    is_default = models.BooleanField(_("default calendar"), default=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="core_calendar_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .calendar import validate_settings

        self.country = (self.country or "").strip().upper()
        self.subdivision = (self.subdivision or "").strip().upper()
        validate_settings(
            time_zone=self.time_zone, country=self.country, subdivision=self.subdivision, hours=self.hours
        )


class CalendarDay(models.Model):
    """A company-specific day: closed (a local holiday, the 24th of December…) or open despite a
    public holiday."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed (company holiday)")
        OPEN = "open", _("Working day despite a public holiday")

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("description"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CLOSED)

    class Meta:
        verbose_name = _("company-specific day")
        verbose_name_plural = _("company-specific days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="core_calendar_day_once")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class DataVersion(models.Model):
    """How many times the business tables have been written, kept by the database's own triggers
    (see `clientela.core.changes`); one row per slot so that concurrent writers rarely wait for
    each other."""

    slot = models.PositiveSmallIntegerField(primary_key=True)
    changes = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
