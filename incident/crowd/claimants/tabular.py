"""Read a CSV or XLSX upload into header-mapped rows; Chinese and English column names accepted."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Iterator

from incident.crowd.claimants import limits, mapping
from incident.errors import ValidationError

MAX_ROWS = limits.MAX_ROWS


@dataclass
class Sheet:
    """The file as read: header texts (unique, never empty) and each row's raw cells."""

    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (sheet row number, cells)
    blank_rows: list[int] = field(default_factory=list)              # blank lines inside the data


@dataclass
class Table:
    columns: dict[str, list[str]]              # field -> column headers (the mapping used)
    ignored: list[str] = field(default_factory=list)   # columns kept as attributes
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (sheet row number, values)


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def header_names(raw: list[Any]) -> list[str]:
    """Header cells as unique texts: an empty header becomes its column letter, a repeated one gets (2)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(raw):
        name = " ".join(mapping.cell_text(cell).replace("\ufeff", "").split())[:80] or f"({_letters(i)})"
        base, n = name, 2
        while name in seen:
            name, n = f"{base} ({n})", n + 1
        seen.add(name)
        out.append(name)
    return out


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError("the CSV is neither UTF-8 nor GB18030 text", field="file", reason="encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error as err:  # e.g. a field longer than the csv module's limit
        raise ValidationError("the CSV cannot be read (a field longer than the limit, or broken quoting)",
                              field="file", reason="format", detail=str(err)[:200]) from None


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValidationError("not a readable XLSX workbook", field="file", reason="format") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet fails while streaming, not at load_workbook
                raise ValidationError("not a readable XLSX workbook", field="file", reason="format") from None
            yield list(row)
    finally:
        wb.close()


def read_sheet(filename: str, data: bytes) -> Sheet:
    """Parse an upload by its extension (or XLSX magic bytes); rows keep their sheet row number."""
    if not data:
        raise ValidationError("the file is empty", field="file", reason="empty")
    is_xlsx = (filename or "").lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    if not is_xlsx and (data[:4] == b"\xd0\xcf\x11\xe0" or (filename or "").lower().endswith(".xls")):
        raise ValidationError("old .xls workbooks are not read: save as .xlsx or .csv", field="file",
                              reason="format")
    limits.check_upload(filename, data, is_xlsx=is_xlsx)  # bounded CPU and memory before any parser runs
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    sheet: Sheet | None = None
    pending: list[int] = []
    for number, raw in enumerate(rows, start=1):
        try:  # a CSV row is all text: one join tells a blank line
            blank = not "".join(raw).strip()
        except TypeError:  # a sheet row holds numbers, times, None
            blank = not any(c is not None and (not isinstance(c, str) or c.strip()) for c in raw)
        if sheet is None:
            if not blank:
                sheet = Sheet(header=header_names(raw))
            continue  # leading blank lines
        if blank:
            pending.append(number)  # listed as skipped only when data rows follow
            continue
        sheet.blank_rows.extend(pending)
        pending = []
        sheet.rows.append((number, raw))
        if len(sheet.rows) > MAX_ROWS:
            raise ValidationError("more than %(max)s rows; split the file", field="file", max=MAX_ROWS,
                                  reason="too_many_rows")
    if sheet is None:
        raise ValidationError("the file has no header row", field="file", reason="empty")
    return sheet


def read_table(filename: str, data: bytes) -> Table:
    """The file with Concord's proposed mapping applied (the one-step import and older callers)."""
    sheet = read_sheet(filename, data)
    cols = mapping.check(mapping.propose(sheet.header, [r for _n, r in sheet.rows[:20]]), sheet.header)
    table = Table(columns=cols, ignored=mapping.attribute_columns(cols, sheet.header))
    plan = mapping.plan(cols, sheet.header)
    for number, raw in sheet.rows:
        table.rows.append((number, mapping.run(plan, raw)[0]))
    return table
