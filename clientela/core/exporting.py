"""CSV and XLSX exports that Excel opens correctly in Spanish and that import back unchanged.

Spanish CSV: semicolon, UTF-8 with BOM, dd/mm/yyyy, decimal comma. English CSV: comma, ISO dates.
Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is neutralised
with a leading apostrophe, which the importer removes again.
"""

import csv
import datetime as dt
import decimal
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    label: str | Promise
    value: Callable[[Any], Any]
    width: int = 18


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def spanish() -> bool:
    return (translation.get_language() or "es").startswith("es")


def csv_text(value: Any) -> str:
    """One value as the CSV text for the active language."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M") if spanish() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if spanish() else value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        text = format(value, "f")
        return text.replace(".", ",") if spanish() else text
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Any], columns: list[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";" if spanish() else ",", quoting=csv.QUOTE_MINIMAL)
    yield "\ufeff" + writer.writerow([str(c.label) for c in columns])
    for row in rows:
        yield writer.writerow([csv_text(c.value(row)) for c in columns])


def csv_response(rows: Iterable[Any], columns: list[Column], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_bytes(rows: Iterable[Any], columns: list[Column]) -> bytes:
    return "".join(_csv_lines(rows, columns)).encode("utf-8")


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY HH:MM" if spanish() else "YYYY-MM-DD HH:MM"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY" if spanish() else "YYYY-MM-DD"
        return cell
    if isinstance(value, bool):
        return WriteOnlyCell(sheet, value=_("Yes") if value else _("No"))
    if isinstance(value, decimal.Decimal | float | int):
        return WriteOnlyCell(sheet, value=value)
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # text stays text: a cell starting with "=" is never a formula
    return cell


def xlsx_file(rows: Iterable[Any], columns: list[Column], title: str) -> tempfile.SpooledTemporaryFile:
    # openpyxl (and the numpy and Pillow it loads) is 30 MB: only a process that writes a workbook pays.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    for index, column in enumerate(columns):
        sheet.column_dimensions[_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, c.value(row)) for c in columns])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    workbook.save(out)
    out.seek(0)
    return out


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def xlsx_response(rows: Iterable[Any], columns: list[Column], filename: str, title: str = "") -> FileResponse:
    return FileResponse(
        xlsx_file(rows, columns, title or filename),
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(
    rows: Iterable[Any], columns: list[Column], fmt: str, basename: str, title: str = ""
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    filename = f"{slugify(basename)}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        return xlsx_response(rows, columns, filename, title)
    return csv_response(rows, columns, filename)


def csv_text_io(rows: Iterable[Any], columns: list[Column]) -> io.StringIO:
    return io.StringIO("".join(_csv_lines(rows, columns)))
