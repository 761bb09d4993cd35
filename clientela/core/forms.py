"""Shared forms and form helpers."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .errors import ConflictError, DomainError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class VersionedFormMixin:
    """Carries the record's edit version through the form, for optimistic concurrency."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        initial = instance.lock_version if instance is not None and instance.pk else None
        self.fields["lock_version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, initial=initial)

    def expected_version(self) -> int | None:
        return self.cleaned_data.get("lock_version")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (semicolon or comma, UTF-8 or Windows-1252) or Excel XLSX."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


def show_service_error(form: Any, exc: ValidationError | DomainError) -> None:
    """Show a service's refusal on the form. After a conflict the form carries the current edit
    version, so saving again applies the user's values knowingly; nothing typed is lost."""
    if isinstance(exc, ConflictError):
        form.add_error(None, str(exc))
        if form.instance.pk:
            current = type(form.instance)._default_manager.get(pk=form.instance.pk)
            data = form.data.copy()
            data["lock_version"] = current.lock_version
            form.data = data
        return
    if isinstance(exc, DomainError):
        form.add_error(None, str(exc))
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def saved[R](
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], R],
    *,
    message: str | Callable[[R], str],
) -> R | None:
    """Save a posted, valid form through `save` (a service call given the cleaned data without the
    edit version), tell the user `message` and return the saved record; None when the form is to be
    shown again: not posted, not valid, or refused by the service, with its reason on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
    try:
        record = save(data)
    except (ValidationError, DomainError) as exc:
        show_service_error(form, exc)
        return None
    messages.success(request, message(record) if callable(message) else message)
    return record


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    purpose = forms.CharField(widget=forms.HiddenInput)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    replaces = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, purposes: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purposes = purposes

    def clean_purpose(self) -> str:
        purpose = self.cleaned_data["purpose"]
        if purpose not in self.purposes:
            raise forms.ValidationError(_("Files of this kind cannot be attached here."))
        return purpose
