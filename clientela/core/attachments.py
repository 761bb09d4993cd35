"""Attached files: sniffed type (not the extension), size limit, random stored name, audited."""

import hashlib
from typing import Any

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .models import Attachment, AuditAction

PDF = "application/pdf"
IMAGES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
OFFICE = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
TEXT = "text/plain"

PURPOSES: dict[str, tuple[set[str], Any]] = {
    "document": ({PDF}, gettext_lazy("PDF documents")),
    "evidence": ({PDF, TEXT, *IMAGES, *OFFICE}, gettext_lazy("PDF, images, office documents or plain text")),
    "image": (set(IMAGES), gettext_lazy("images (PNG, JPEG, WebP, GIF)")),
}


ACCEPT = {
    "document": ".pdf,application/pdf",
    "image": "image/png,image/jpeg,image/webp,image/gif",
    "evidence": ".pdf,.png,.jpg,.jpeg,.webp,.gif,.docx,.xlsx,.odt,.ods,.txt",
}


def sniff(upload: UploadedFile) -> str:
    """The file's real type from its content; plain UTF-8 text is recognised as text/plain."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A multi-byte character cut at the 8 KiB boundary is still text.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError:
                return "application/octet-stream"
        return TEXT
    return "application/octet-stream"


def validate_upload(upload: UploadedFile, purpose: str) -> str:
    allowed, allowed_label = PURPOSES[purpose]
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
            code="too_large",
        )
    mime = sniff(upload)
    if mime not in allowed:
        raise ValidationError(
            _("This kind of file is not accepted here. Accepted: %(allowed)s.") % {"allowed": allowed_label},
            code="type",
        )
    return mime


@transaction.atomic
def attach(
    *,
    actor: Any,
    target: models.Model,
    upload: UploadedFile,
    purpose: str = "evidence",
    description: str = "",
    replaces: Attachment | None = None,
) -> Attachment:
    mime = validate_upload(upload, purpose)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = get_valid_filename(upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200] or "file"
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        object_id=target.pk,
        purpose=purpose,
        original_name=name,
        mime_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=description[:255],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        version=(replaces.version + 1) if replaces else 1,
        replaces=replaces,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit.record(
        actor=actor,
        obj=target,
        action=AuditAction.ATTACHED,
        changes={
            "attachment": [
                None,
                {"id": attachment.pk, "name": name, "sha256": attachment.sha256, "version": attachment.version},
            ]
        },
    )
    return attachment


def attachments_for(target: models.Model, purpose: str | None = None) -> models.QuerySet[Attachment]:
    ct = ContentType.objects.get_for_model(target, for_concrete_model=True)
    qs = Attachment.objects.filter(content_type=ct, object_id=target.pk, archived_at__isnull=True)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.select_related("uploaded_by")
