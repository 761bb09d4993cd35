"""Import engine (SPEC §6): files as people really have them, atomic runs, idempotent re-imports.

Reads CSV (semicolon or comma; UTF-8 with or without BOM, or Windows-1252) and XLSX; maps headers
written as field names or as their labels in Spanish or English (case and accents ignored);
parses dd/mm/yyyy dates, decimal commas and choice labels in either language. Every row goes
through the module's own service inside one transaction, each in a savepoint: any invalid row
means nothing is written, and every invalid row is reported with its line and reason.
"""

import csv
import datetime as dt
import decimal
import io
import re
import unicodedata
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import DomainError
from .exporting import FORMULA_STARTS
from .registry import registry

MAX_COLUMNS = 200
MAX_ROWS = 100_000
PREVIEW_ROWS = 50


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing was imported."""


def normalise(text: Any) -> str:
    """Lower case, no accents, single spaces: 'Código  País' → 'codigo pais'."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\s_\-\.]+", " ", text.casefold())
    return text.strip(" *:")


# --- reading files ----------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number in the file, cell values)
    decimal_comma: bool


def _decode(data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise ImportFileError(_("The file is not a text file (CSV) or an Excel workbook (XLSX)."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file's character encoding is not UTF-8 or Windows-1252."))


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    first_line = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t", "|"], key=first_line.count)
    if first_line.count(delimiter) + 1 > MAX_COLUMNS:
        raise ImportFileError(_("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})
    csv.field_size_limit(1024 * 1024)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for record in reader:
            if headers is None:
                if not any(cell.strip() for cell in record):
                    continue
                headers = record
                continue
            if not any(cell.strip() for cell in record):
                continue
            rows.append((reader.line_num, record))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    except csv.Error as exc:
        raise ImportFileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc
    if headers is None:
        raise ImportFileError(_("The file is empty."))
    return Table(headers=headers, rows=rows, decimal_comma=delimiter == ";")


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(_("The Excel workbook cannot be read.")) from exc
    try:
        sheet = workbook.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            if headers is None:
                if len(cells) > MAX_COLUMNS:
                    raise ImportFileError(_("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})
                if not any(c not in (None, "") for c in cells):
                    continue
                headers = ["" if c is None else str(c) for c in cells]
                continue
            if not any(c not in (None, "") for c in cells):
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    finally:
        workbook.close()
    if headers is None:
        raise ImportFileError(_("The file is empty."))
    return Table(headers=headers, rows=rows, decimal_comma=True)


def read_table(data: bytes, filename: str = "") -> Table:
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large; the limit is %(mb)s MB.") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    if data[:4] == b"PK\x03\x04":
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ImportFileError(_("The Excel workbook cannot be read."))
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("The Excel workbook cannot be read."))
    if filename.lower().endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(_("Old Excel files (.xls) are not supported: save the sheet as .xlsx or CSV."))
    return _read_csv(data)


# --- parsing values ---------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]  # undo the exporter's formula neutralisation
    return text


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4} ", text) else text
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (only the date is kept)
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a valid date (use dd/mm/yyyy).") % {"value": text})


def parse_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time(0, 0)))
    text = _text(value)
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    except ValueError:
        pass
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d/%m/%y %H:%M"):
        try:
            return timezone.make_aware(dt.datetime.strptime(text, fmt))  # noqa: DTZ007 (made aware here)
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a valid date and time (use dd/mm/yyyy hh:mm).") % {"value": text})


def parse_decimal(value: Any, decimal_comma: bool) -> decimal.Decimal | None:
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return decimal.Decimal(str(value))
    text = _text(value).replace("\xa0", "").replace(" ", "").replace("€", "").replace("$", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    elif "." in text and decimal_comma and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        return decimal.Decimal(text)
    except decimal.InvalidOperation as exc:
        raise CellError(_("“%(value)s” is not a number.") % {"value": _text(value)}) from exc


def parse_int(value: Any) -> int | None:
    number = parse_decimal(value, decimal_comma=False)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": _text(value)})
    return int(number)


TRUE_WORDS = {"si", "s", "yes", "y", "true", "verdadero", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "falso", "0", ""}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = normalise(_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” is not yes or no.") % {"value": _text(value)})


def label_lookup(pairs: Callable[[], Iterable[tuple[str, Any]]]) -> dict[str, str]:
    """code/label (in Spanish and in English, normalised) → code."""
    table: dict[str, str] = {}
    for language in ("en", "es"):
        with translation.override(language):
            for code, label in pairs():
                table[normalise(code)] = code
                table[normalise(str(label))] = code
    return table


# --- importer definition ----------------------------------------------------------------------


@dataclass
class ImportField:
    name: str
    kind: str = "text"  # text | int | decimal | date | datetime | bool | choice | country | user | ref
    required: bool = False
    choices: Callable[[], Iterable[tuple[str, Any]]] | None = None
    resolve: Callable[[str], Any] | None = None  # for "ref": text → object, or raise CellError
    aliases: tuple[str, ...] = ()
    label: str | Promise = ""
    _lookup: dict[str, str] | None = field(default=None, repr=False)

    def parse(self, value: Any, decimal_comma: bool) -> Any:
        if self.kind == "date":
            return parse_date(value)
        if self.kind == "datetime":
            return parse_datetime(value)
        if self.kind == "decimal":
            return parse_decimal(value, decimal_comma)
        if self.kind == "int":
            return parse_int(value)
        if self.kind == "bool":
            return parse_bool(value)
        text = _text(value)
        if self.kind == "choice":
            if not text:
                return ""
            if self._lookup is None:
                self._lookup = label_lookup(self.choices or (list))
            code = self._lookup.get(normalise(text))
            if code is None:
                raise CellError(_("“%(value)s” is not one of the allowed values.") % {"value": text})
            return code
        if self.kind == "country":
            if not text:
                return ""
            from django_countries import countries

            if self._lookup is None:
                self._lookup = label_lookup(lambda: list(countries))
                for code in countries:
                    self._lookup[normalise(countries.alpha3(code.code))] = code.code
            code = self._lookup.get(normalise(text))
            if code is None:
                raise CellError(_("“%(value)s” is not a known country.") % {"value": text})
            return code
        if self.kind == "user":
            if not text:
                return None
            if self._lookup is None:
                self._lookup = user_lookup()
            user_id = self._lookup.get(normalise(text))
            if user_id is None:
                raise CellError(_("No active user is called “%(value)s”.") % {"value": text})
            return get_user_model().objects.get(pk=user_id)
        if self.kind == "ref":
            if not text:
                return None
            assert self.resolve is not None
            return self.resolve(text)
        return text


def user_lookup() -> dict[str, int]:
    """username / e-mail / full name (normalised) → user id, for active users."""
    table: dict[str, int] = {}
    for user in get_user_model().objects.filter(is_active=True):
        for name in (user.username, user.email, user.get_full_name()):
            if name:
                table.setdefault(normalise(name), user.pk)
    return table


class Importer(ABC):
    """One importable kind of record. Subclasses define fields and call their module's services."""

    kind: str
    label: str | Promise
    permission: str
    model: type[models.Model]
    fields: list[ImportField]

    def header_names(self, spec: ImportField) -> set[str]:
        names = {normalise(spec.name), *(normalise(a) for a in spec.aliases)}
        for language in ("es", "en"):
            with translation.override(language):
                names.add(normalise(str(self.label_for(spec))))
        return names

    def label_for(self, spec: ImportField) -> str | Promise:
        if spec.label:
            return spec.label
        try:
            return self.model._meta.get_field(spec.name).verbose_name
        except Exception:
            return spec.name

    @abstractmethod
    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        """(field, value) pairs that identify the record, in priority order."""

    @abstractmethod
    def find_existing(self, data: dict[str, Any]) -> models.Model | None:
        """The stored record this row updates, or None to create one."""

    @abstractmethod
    def save(self, *, actor: Any, data: dict[str, Any], existing: models.Model | None) -> str:
        """Write the row through the module's services: 'created', 'updated' or 'unchanged'."""

    def describe(self, data: dict[str, Any]) -> str:
        return " · ".join(str(v) for v in list(data.values())[:3] if v not in (None, ""))

    def row_warnings(self, data: dict[str, Any], line: int) -> list[str]:
        """What the user should know about a row just saved, which is imported all the same."""
        return []


# --- running ----------------------------------------------------------------------------------


@dataclass
class Report:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, line: int | None, column: str, message: str) -> None:
        self.errors.append({"line": line, "column": column, "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "warnings": self.warnings,
            "preview": self.preview,
            "committed": self.committed,
        }


def map_headers(importer: Importer, headers: list[str], report: Report) -> dict[int, ImportField]:
    lookup: dict[str, ImportField] = {}
    for spec in importer.fields:
        for name in importer.header_names(spec):
            lookup[name] = spec
    mapping: dict[int, ImportField] = {}
    used: dict[str, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        key = normalise(header)
        if not key:
            continue
        spec = lookup.get(key)
        if spec is None:
            unknown.append(header.strip())
            continue
        if spec.name in used:
            report.error(1, header, _("Column “%(a)s” repeats column “%(b)s”.") % {"a": header, "b": used[spec.name]})
            continue
        used[spec.name] = header
        mapping[index] = spec
    if unknown:
        report.warnings.append(
            _("These columns are not recognised and will be ignored: %(cols)s.") % {"cols": ", ".join(unknown)}
        )
    for spec in importer.fields:
        if spec.required and spec.name not in used:
            report.error(
                1,
                str(importer.label_for(spec)),
                _("The required column “%(col)s” is missing.") % {"col": importer.label_for(spec)},
            )
    return mapping


def _messages(exc: ValidationError, importer: Importer) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            if name == NON_FIELD_ERRORS:
                column = ""
            else:
                spec = next((f for f in importer.fields if f.name == name), None)
                column = str(importer.label_for(spec)) if spec else name
            out.extend((column, str(m)) for m in errors)
    else:
        out.extend(("", str(m)) for m in exc.messages)
    return out


def run_import(
    importer: Importer,
    data: bytes,
    *,
    filename: str,
    actor: Any,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    report = Report()
    for spec in importer.fields:
        spec._lookup = None  # users, choices and countries are looked up afresh on each run
    try:
        table = read_table(data, filename)
    except ImportFileError as exc:
        report.error(None, "", str(exc))
        return report
    mapping = map_headers(importer, table.headers, report)
    report.total = len(table.rows)
    if not table.rows:
        report.error(None, "", _("The file has a header but no rows."))
    if report.errors:
        return report

    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in table.rows:
        row: dict[str, Any] = {}
        row_ok = True
        for index, spec in mapping.items():
            raw = cells[index] if index < len(cells) else None
            try:
                value = spec.parse(raw, table.decimal_comma)
            except CellError as exc:
                report.error(line, str(importer.label_for(spec)), str(exc))
                row_ok = False
                continue
            if spec.required and value in (None, ""):
                report.error(line, str(importer.label_for(spec)), _("This value is required."))
                row_ok = False
                continue
            row[spec.name] = value
        if len(cells) > len(table.headers) and any(_text(c) for c in cells[len(table.headers) :]):
            report.error(line, "", _("The row has more cells than the header has columns."))
            row_ok = False
        if not row_ok:
            continue
        for key_field, key_value in importer.match_keys(row):
            if key_value in (None, ""):
                continue
            key = (key_field, normalise(key_value))
            if key in seen:
                report.error(
                    line,
                    str(importer.label_for(next(f for f in importer.fields if f.name == key_field))),
                    _("“%(value)s” is repeated: it already appears on line %(line)s.")
                    % {"value": key_value, "line": seen[key]},
                )
                row_ok = False
            else:
                seen[key] = line
        if row_ok:
            parsed.append((line, row))

    with transaction.atomic():
        for position, (line, row) in enumerate(parsed, start=1):
            try:
                with transaction.atomic():
                    existing = importer.find_existing(row)
                    outcome = importer.save(actor=actor, data=row, existing=existing)
                    report.warnings.extend(importer.row_warnings(row, line))
            except ValidationError as exc:
                for column, message in _messages(exc, importer):
                    report.error(line, column, message)
                continue
            except (CellError, DomainError) as exc:
                # A reference that resolves to nothing, or a rule of the process refusing the row.
                report.error(line, "", str(exc))
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append({"line": line, "action": outcome, "summary": importer.describe(row)})
            if progress and position % 25 == 0:
                progress(position, len(parsed))
        report.errors.sort(key=lambda e: e["line"] or 0)
        if report.errors or dry_run:
            transaction.set_rollback(True)
        else:
            report.committed = True
    if progress:
        progress(len(parsed), len(parsed))
    return report


def get_importer(kind: str) -> Importer:
    try:
        return registry.importers[kind]
    except KeyError as exc:
        raise KeyError(_("Unknown import kind “%(kind)s”.") % {"kind": kind}) from exc


def run_job(job_id: int, *, commit: bool) -> str:
    """Task body for the upload page: check (preview) or import a stored file."""
    from . import notifications
    from .models import ImportJob

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    importer = get_importer(job.kind)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING if commit else ImportJob.Status.CHECKING)

    def progress(done: int, total: int) -> None:
        cache.set(job.progress_key, {"done": done, "total": total}, 3600)

    with job.file.open("rb") as handle:
        data = handle.read()
    with translation.override(job.created_by.language or settings.LANGUAGE_CODE):
        report = run_import(
            importer, data, filename=job.original_name, actor=job.created_by, dry_run=not commit, progress=progress
        )
        if commit and report.committed:
            status = ImportJob.Status.DONE
        elif report.errors:
            status = ImportJob.Status.INVALID
        else:
            status = ImportJob.Status.PREVIEW
        ImportJob.objects.filter(pk=job.pk).update(status=status, report=report.as_dict(), finished_at=timezone.now())
        if status == ImportJob.Status.DONE:
            job.file.delete(save=False)
        if commit:
            from django.urls import reverse

            notifications.notify(
                recipients=[job.created_by],
                kind="import.finished",
                title=lambda: (
                    _("Import of “%(name)s” finished: %(created)s created, %(updated)s updated.")
                    % {"name": job.original_name, "created": report.created, "updated": report.updated}
                    if report.committed
                    else _("Import of “%(name)s” did not run: the file has errors.") % {"name": job.original_name}
                ),
                url=reverse("core:import_detail", args=[job.token]),
            )
    return status
