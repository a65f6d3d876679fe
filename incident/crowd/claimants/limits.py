"""Bounds on a claimant upload, checked on the raw bytes before any parser sees them.

A 42 KB XLSX can hold a million shared strings (openpyxl loads them all before the first row), a
`<dimension ref="A1:XFD1048576"/>` makes openpyxl pad every row to 16,384 cells and yield a million
rows, and a zip entry can inflate a thousandfold. `check_upload` reads the archive itself —
decompressing each part in chunks with a running cap, never trusting the sizes the zip declares —
and refuses the file with a ValidationError naming the limit, within a bounded time and memory.
The limits are documented in docs/crowd.md ("Import limits").
"""
from __future__ import annotations

import re
import time
import zipfile
from xml.parsers import expat
from io import BytesIO
from typing import Iterator

from incident.errors import ValidationError

MAX_ROWS = 20_000                  # data rows one import stores (tabular.read_sheet counts them)
MAX_SHEET_ROWS = MAX_ROWS + 1_000  # highest row number in the sheet: the data plus header and blank lines
MAX_COLUMNS = 100                  # highest column of the sheet (CV), or fields on one CSV line
MAX_CELLS = 400_000                # cells in all worksheets together (20,000 rows × 20 columns)
MAX_SHARED_STRINGS = 200_000       # distinct texts in the workbook (10 text columns of 20,000 rows)
MAX_FILE_BYTES = 16 * 1024 * 1024  # the uploaded file itself (CSV or XLSX)
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # all parts of the XLSX together, decompressed
MAX_PART_BYTES = 4 * 1024 * 1024   # any part other than a worksheet or the shared strings (styles …)
MAX_ZIP_ENTRIES = 500
MAX_CSV_LINE_BYTES = 64 * 1024
MAX_SECONDS = 10.0                 # CPU budget of this check (thread time: a busy machine does not count)

CHUNK = 256 * 1024


def refused(message: str, reason: str, **details: object) -> ValidationError:
    return ValidationError(message, field="file", reason=reason, **details)


def _column_number(letters: str) -> int:
    if not letters.isascii() or not letters.isalpha() or len(letters) > 3:
        return 10**6
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Budget:
    def __init__(self) -> None:
        self.deadline = time.thread_time() + MAX_SECONDS
        self.unpacked = 0
        self.cells = 0
        self.shared = 0

    def tick(self) -> None:
        if time.thread_time() > self.deadline:
            raise refused("the file takes too long to read (more than %(max)s seconds); split it",
                          "too_slow", max=int(MAX_SECONDS))


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, budget: _Budget) -> Iterator[bytes]:
    """The part's bytes, decompressed CHUNK by CHUNK, refused as soon as a cap is passed."""
    size = 0
    with zf.open(info) as fh:
        while True:
            block = fh.read(CHUNK)
            if not block:
                return
            size += len(block)
            budget.unpacked += len(block)
            if size > cap:
                raise refused("part %(part)s of the workbook unpacks to more than %(max)s MB",
                              "too_large", part=info.filename[:80], max=cap // (1024 * 1024))
            if budget.unpacked > MAX_UNPACKED_BYTES:
                raise refused("the workbook unpacks to more than %(max)s MB", "too_large",
                              max=MAX_UNPACKED_BYTES // (1024 * 1024))
            budget.tick()
            yield block


def _check_dimension(ref: str) -> None:
    """openpyxl pads every row to the declared width: A1:XFD… makes each row 16,384 cells."""
    m = re.fullmatch(r"\$?([A-Za-z]{1,4})\$?(\d{0,9})", ref.split(":")[-1].strip())
    if m and _column_number(m.group(1)) > MAX_COLUMNS:
        raise refused("the sheet declares the range %(range)s; at most %(max)s columns are read",
                      "too_many_columns", range=ref[:40], max=MAX_COLUMNS)


class _SheetCounter:
    """expat callbacks for one part: rows, cells, their positions and the shared strings."""

    def __init__(self, budget: _Budget, *, sheet: bool, shared: bool) -> None:
        self.budget, self.sheet, self.shared, self.rows = budget, sheet, shared, 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit(":", 1)[-1]
        if self.shared and local == "si":
            self.budget.shared += 1
            if self.budget.shared > MAX_SHARED_STRINGS:
                raise refused("the workbook holds more than %(max)s distinct texts", "too_many_strings",
                              max=MAX_SHARED_STRINGS)
        if not self.sheet:
            return
        if local == "c":
            self.budget.cells += 1
            if self.budget.cells > MAX_CELLS:
                raise refused("the workbook has more than %(max)s cells", "too_many_cells", max=MAX_CELLS)
            ref = re.match(r"([A-Za-z]+)(\d*)", attrs.get("r", ""))
            if ref and _column_number(ref.group(1)) > MAX_COLUMNS:
                raise refused("the sheet has cells beyond column %(max)s", "too_many_columns", max=MAX_COLUMNS)
            if ref and ref.group(2) and (len(ref.group(2)) > 9 or int(ref.group(2)) > MAX_SHEET_ROWS):
                raise self._too_many_rows()
        elif local == "row":
            self.rows += 1
            r = attrs.get("r", "")
            if self.rows > MAX_SHEET_ROWS or (r and (not r.isdigit() or len(r) > 9 or int(r) > MAX_SHEET_ROWS)):
                raise self._too_many_rows()
        elif local == "dimension":
            _check_dimension(attrs.get("ref", ""))

    @staticmethod
    def _too_many_rows() -> ValidationError:
        return refused("the sheet has more than %(max)s rows; split the file", "too_many_rows",
                       max=MAX_SHEET_ROWS)


def _dtd(*_args: object) -> None:
    raise refused("the workbook contains a DTD (not written by spreadsheet programs)", "format")


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> None:
    name = info.filename.lower()
    is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
    is_shared = name.endswith("sharedstrings.xml")
    cap = MAX_UNPACKED_BYTES if (is_sheet or is_shared) else MAX_PART_BYTES
    if not name.endswith((".xml", ".rels", ".vml")):
        for _block in _chunks(zf, info, cap, budget):
            pass  # media and binaries: only their unpacked size counts
        return
    parser = expat.ParserCreate()
    counter = _SheetCounter(budget, sheet=is_sheet, shared=is_shared)
    parser.StartElementHandler = counter.start
    parser.StartDoctypeDeclHandler = _dtd
    parser.EntityDeclHandler = _dtd
    for block in _chunks(zf, info, cap, budget):
        parser.Parse(block, False)
    parser.Parse(b"", True)


def check_xlsx(data: bytes) -> None:
    """Refuse an XLSX whose parts would cost the parser more than the limits above."""
    budget = _Budget()
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise refused("the workbook has more than %(max)s parts", "too_large", max=MAX_ZIP_ENTRIES)
        for info in infos:
            if not info.is_dir():
                _scan_part(zf, info, budget)
    except ValidationError:
        raise
    except Exception:  # zipfile raises many kinds (BadZipFile, CRC errors, zlib, NotImplementedError …)
        raise refused("not a readable XLSX workbook", "format") from None


def check_csv(data: bytes) -> None:
    """Refuse a CSV with NUL bytes, too many lines, or a line too long to be a claimant."""
    if b"\x00" in data:
        raise refused("the CSV contains NUL characters (save it as UTF-8 or GB18030 text)", "encoding")
    if data.count(b"\n") > MAX_SHEET_ROWS:
        raise refused("the sheet has more than %(max)s rows; split the file", "too_many_rows",
                      max=MAX_SHEET_ROWS)
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > MAX_CSV_LINE_BYTES:
            raise refused("a line of the CSV is longer than %(max)s KB", "too_long_line",
                          max=MAX_CSV_LINE_BYTES // 1024)
        start = end + 1


def check_upload(filename: str, data: bytes, *, is_xlsx: bool) -> None:
    """The door of every claimant import: size first, then the format's own bounds."""
    if len(data) > MAX_FILE_BYTES:
        raise refused("the file is larger than %(max)s MB", "too_large", max=MAX_FILE_BYTES // (1024 * 1024))
    if is_xlsx:
        check_xlsx(data)
    else:
        check_csv(data)
