"""Cells safe for spreadsheets: every CSV or XLSX file Concord writes goes through here.

Excel, WPS and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` as a formula (also
after a leading tab or CR), so a claimant named `=HYPERLINK(...)` or `+1+cmd|...` would execute on
the desk of whoever opens the export (OWASP "CSV injection"). Such text cells get a leading single
quote: spreadsheets show the text as typed and never evaluate it. Numbers stay numbers.
"""
from __future__ import annotations

import csv
from typing import Any, Iterable, TextIO

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write into one cell: formula-like text prefixed with a single quote."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class _SafeWriter:
    def __init__(self, out: TextIO, **kwargs: Any) -> None:
        self._w = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: TextIO, **kwargs: Any) -> _SafeWriter:
    """A csv.writer whose every cell passes safe_cell."""
    return _SafeWriter(out, **kwargs)


def append_row(worksheet: Any, values: Iterable[Any]) -> None:
    """openpyxl `worksheet.append`, every cell through safe_cell (for XLSX exports)."""
    worksheet.append(safe_row(values))
