"""API conventions (SPEC §5) shared by every module: pagination, permissions, errors, search,
and a ViewSet base whose writes go through the module's services."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .api_base import Pagination, RolePermission, SearchFilter  # noqa: F401  (re-exported for modules)
from .errors import DomainError, is_bad_input


class BoundedDateTimeField(serializers.DateTimeField):
    """A moment a person enters (received, occurred, submitted…) between 2000 and 2100: a year 830
    is a typing error, and before 1901 the time zone database answers with local mean time, whose
    offset in seconds no client can parse. Every model date-time of the API uses this field."""

    FIRST_YEAR, LAST_YEAR = 2000, 2100

    def to_internal_value(self, value: Any) -> Any:
        moment = super().to_internal_value(value)
        if not self.FIRST_YEAR <= moment.year <= self.LAST_YEAR:
            raise serializers.ValidationError(
                _("Enter a date and time between the years %(first)s and %(last)s.")
                % {"first": self.FIRST_YEAR, "last": self.LAST_YEAR}
            )
        return moment


serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = BoundedDateTimeField


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if name == NON_FIELD_ERRORS else name): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        return Response(validation_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if is_bad_input(exc):
        return Response(
            {"detail": _("A value in the request cannot be stored (a number too large or a NUL character).")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, models.ProtectedError | models.RestrictedError):
        return Response(
            {"detail": _("This record cannot be deleted because other records depend on it.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class UserLanguageMixin:
    """Token-authenticated clients get messages in the user's language."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        user = request.user
        if request.auth is not None and getattr(user, "language", None) and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(user.language)


class ServiceViewSet(UserLanguageMixin, viewsets.ModelViewSet):
    """A ViewSet whose reads come from a selector and whose writes call services.

    Subclasses set `permissions` (action → permission code) and implement `create_record`,
    `update_record` and, when deletion is allowed, `archive_record`.
    """

    permissions: dict[str, str] = {}
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def required_permission(self) -> str | None:
        return self.permissions.get(self.action or "")

    def expected_version(self) -> int | None:
        raw = self.request.data.get("lock_version") if hasattr(self.request.data, "get") else None
        if raw in (None, ""):
            return None
        try:
            return int(raw)
        except (TypeError, ValueError) as exc:
            raise exceptions.ValidationError({"lock_version": [_("Enter a whole number.")]}) from exc

    def perform_create(self, serializer: serializers.Serializer) -> None:
        serializer.instance = self.create_record(serializer.validated_data)

    def perform_update(self, serializer: serializers.Serializer) -> None:
        serializer.instance = self.update_record(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance: models.Model) -> None:
        self.archive_record(instance)

    def create_record(self, data: dict[str, Any]) -> models.Model:
        raise exceptions.MethodNotAllowed(self.request.method)

    def update_record(self, instance: models.Model, data: dict[str, Any]) -> models.Model:
        raise exceptions.MethodNotAllowed(self.request.method)

    def archive_record(self, instance: models.Model) -> None:
        raise exceptions.MethodNotAllowed(self.request.method)


def readonly_enums_may_be_blank(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: a read-only choice field from a model field with
    blank=True answers "" until it is set (e.g. an effectiveness result before verification), but
    DRF drops `allow_blank` from read-only fields, so the schema would forbid it. Allow "" and null."""
    schemas = result.get("components", {}).get("schemas", {})
    schemas.setdefault("BlankEnum", {"enum": [""]})
    schemas.setdefault("NullEnum", {"enum": [None]})
    blank = [{"$ref": "#/components/schemas/BlankEnum"}, {"$ref": "#/components/schemas/NullEnum"}]
    for schema in schemas.values():
        for name, prop in (schema.get("properties") or {}).items():
            if not prop.get("readOnly"):
                continue
            refs = [prop["$ref"]] if "$ref" in prop else [p["$ref"] for p in prop.get("allOf", []) if "$ref" in p]
            if len(refs) == 1 and refs[0].endswith("Enum") and "oneOf" not in prop:
                schema["properties"][name] = {
                    "oneOf": [{"$ref": refs[0]}, *blank],
                    "readOnly": True,
                    **({"description": prop["description"]} if "description" in prop else {}),
                }
    return result


class TransitionSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=40)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
