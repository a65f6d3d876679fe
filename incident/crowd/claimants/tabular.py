"""Read a CSV or XLSX upload into header-mapped rows; Chinese and English column names accepted."""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterator

from incident.crowd.claimants import limits
from incident.errors import ValidationError

MAX_ROWS = limits.MAX_ROWS
# Accepted header spellings per field, compared after folding case, width and spaces.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "业主姓名", "客户姓名", "name", "full_name"),
    "unit": ("房号", "单元", "地址", "订单号", "门牌号", "房间号", "unit", "address", "order",
             "order_number", "order_no"),
    "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "phone", "mobile", "tel"),
    "id_number": ("身份证", "身份证号", "身份证号码", "证件号", "id_number", "id_no", "id"),
    "segment": ("分组", "楼栋", "楼号", "批次", "segment", "group", "building", "batch"),
}
REQUIRED = ("name", "unit", "phone")


def _fold(s: str) -> str:
    folded = unicodedata.normalize("NFKC", s or "").replace("\ufeff", "").casefold()
    return "".join(ch for ch in folded if ch.isalnum())  # "Order number" = "order_number" = "ORDER-NUMBER"


_LOOKUP = {_fold(alias): key for key, aliases in HEADERS.items() for alias in aliases}


@dataclass
class Table:
    columns: dict[str, int]                    # field -> column index
    ignored: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (sheet row number, values)


def map_header(header: list[Any]) -> tuple[dict[str, int], list[str]]:
    """Field -> column index; unknown columns are returned for the report, missing ones refused."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for i, cell in enumerate(header):
        name = "" if cell is None else str(cell)
        key = _LOOKUP.get(_fold(name))
        if key and key not in columns:
            columns[key] = i
        elif name.strip():
            ignored.append(name.strip())
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        raise ValidationError("missing column(s): %(columns)s", field="file", columns=", ".join(missing),
                              reason="missing_columns", missing=missing)
    return columns, ignored


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


def read_table(filename: str, data: bytes) -> Table:
    """Parse an upload by its extension (or XLSX magic bytes); rows keep their sheet row number."""
    if not data:
        raise ValidationError("the file is empty", field="file", reason="empty")
    is_xlsx = (filename or "").lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    if not is_xlsx and (data[:4] == b"\xd0\xcf\x11\xe0" or (filename or "").lower().endswith(".xls")):
        raise ValidationError("old .xls workbooks are not read: save as .xlsx or .csv", field="file",
                              reason="format")
    limits.check_upload(filename, data, is_xlsx=is_xlsx)  # bounded CPU and memory before any parser runs
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    header: list[Any] | None = None
    table: Table | None = None
    for number, raw in enumerate(rows, start=1):
        if header is None:
            if not any(c not in (None, "") for c in raw):
                continue  # leading blank lines
            header = raw
            columns, ignored = map_header(header)
            table = Table(columns=columns, ignored=ignored)
            continue
        assert table is not None
        if not any(c not in (None, "") and str(c).strip() for c in raw):
            continue  # blank line inside the sheet: not a row
        values = {k: (raw[i] if i < len(raw) else None) for k, i in table.columns.items()}
        table.rows.append((number, values))
        if len(table.rows) > MAX_ROWS:
            raise ValidationError("more than %(max)s rows; split the file", field="file", max=MAX_ROWS,
                                  reason="too_many_rows")
    if table is None:
        raise ValidationError("the file has no header row", field="file", reason="empty")
    return table
