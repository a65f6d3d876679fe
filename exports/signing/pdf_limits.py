"""Bounds on an uploaded PDF, checked on the raw bytes before pyHanko parses it.

pyHanko builds its cross-reference table from what the file declares: a 10 KB file whose xref
stream says `/Size 2000000` (a few KB of zeros, deflated) costs 13 s of CPU and 390 MB before the
verdict "unsigned". `check_pdf` reads only the file's own structure — trailers, xref sections and
streams, object streams (inflated in chunks with a running cap) — and refuses the file with a
ValidationError naming the limit. Documented in docs/agreements.md ("Limits of the verifier").
"""
from __future__ import annotations

import re
import time
import zlib

from incident.errors import ValidationError

MAX_PDF_BYTES = 25 * 1024 * 1024      # the uploaded file
MAX_OBJECTS = 100_000                 # declared xref entries (/Size, subsections, /Index) and objects
MAX_PAGES = 5_000                     # page objects (an incident report of ~150,000 events)
MAX_REVISIONS = 50                    # incremental updates (a seal adds one, a timestamp another)
MAX_STREAM_BYTES = 64 * 1024 * 1024   # one stream, inflated
MAX_INFLATED_BYTES = 256 * 1024 * 1024  # all Flate streams together, inflated
MAX_XREF_WIDTH = 8                    # bytes per field of an xref stream entry (/W)
MAX_SECONDS = 10.0                    # CPU budget of this check (thread time)

_SIZE = re.compile(rb"/Size\s+(\d+)")
_INDEX = re.compile(rb"/Index\s*\[([\d\s]*)\]")
_W = re.compile(rb"/W\s*\[([\d\s]*)\]")
_N = re.compile(rb"/N\s+(\d+)")
_OBJ = re.compile(rb"(?<![\d])\d{1,10}\s+\d{1,5}\s+obj\b")
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_XREF = re.compile(rb"(?:^|[\r\n])\s*xref[ \t]*\r?\n")
_SUBSECTION = re.compile(rb"\s*(\d{1,10})[ \t]+(\d{1,10})[ \t]*\r?\n")
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_ENDSTREAM = b"endstream"
_STARTXREF = re.compile(rb"startxref")
CHUNK = 1024 * 1024


def refused(message: str, reason: str, **details: object) -> ValidationError:
    return ValidationError(message, field="file", reason=reason, **details)


class _Scan:
    def __init__(self) -> None:
        self.deadline = time.thread_time() + MAX_SECONDS
        self.inflated = 0
        self.objects = 0
        self.pages = 0

    def tick(self) -> None:
        if time.thread_time() > self.deadline:
            raise refused("the PDF takes too long to read (more than %(max)s seconds)", "too_slow",
                          max=int(MAX_SECONDS))

    def count_objects(self, n: int) -> None:
        self.objects += n
        if self.objects > MAX_OBJECTS:
            raise too_many_objects()

    def count_pages(self, text: bytes) -> None:
        self.pages += len(_PAGE.findall(text))
        if self.pages > MAX_PAGES:
            raise refused("the PDF has more than %(max)s pages", "too_many_pages", max=MAX_PAGES)

    def inflate(self, raw: bytes, keep: bool) -> bytes | None:
        """The stream inflated under the caps (kept only if asked), or None when it is not zlib data."""
        d = zlib.decompressobj()
        out, size, pending = bytearray(), 0, raw
        try:
            while True:
                piece = d.decompress(pending, CHUNK)
                size += len(piece)
                if keep:
                    out += piece
                if size > MAX_STREAM_BYTES:
                    raise refused("a stream of the PDF inflates to more than %(max)s MB", "too_large",
                                  max=MAX_STREAM_BYTES // (1024 * 1024))
                if self.inflated + size > MAX_INFLATED_BYTES:
                    raise refused("the PDF's streams inflate to more than %(max)s MB", "too_large",
                                  max=MAX_INFLATED_BYTES // (1024 * 1024))
                self.tick()
                pending = d.unconsumed_tail
                if d.eof or not pending and not piece:
                    break
        except zlib.error:
            return None
        finally:
            self.inflated += size
        return bytes(out)


def too_many_objects() -> ValidationError:
    return refused("the PDF declares more than %(max)s objects", "too_many_objects", max=MAX_OBJECTS)


def _numbers(raw: bytes) -> list[int]:
    return [int(x) if len(x) <= 10 else 10**10 for x in raw.split()]  # a longer number is over any cap


def _check_declared(text: bytes) -> None:
    """/Size of trailers and xref streams, /Index ranges and /W widths of xref streams."""
    for m in _SIZE.finditer(text):
        if len(m.group(1)) > 7 or int(m.group(1)) > MAX_OBJECTS:
            raise too_many_objects()
    for m in _INDEX.finditer(text):
        counts = _numbers(m.group(1))[1::2]
        if sum(counts) > MAX_OBJECTS or len(m.group(1).split()) % 2:
            raise too_many_objects()
    for m in _W.finditer(text):
        if any(w > MAX_XREF_WIDTH for w in _numbers(m.group(1))) or len(m.group(1).split()) > 3:
            raise refused("the PDF's cross-reference stream has entries wider than %(max)s bytes",
                          "format", max=MAX_XREF_WIDTH)


def _check_xref_tables(data: bytes, scan: _Scan) -> None:
    """Classic xref sections: the entries every subsection header announces."""
    total = 0
    for m in _XREF.finditer(data):
        pos = m.end()
        while True:
            sub = _SUBSECTION.match(data, pos)
            if sub is None:
                break
            count = int(sub.group(2))
            total += count
            if total > MAX_OBJECTS:
                raise too_many_objects()
            pos = sub.end() + 20 * count
        scan.tick()


def _check_streams(data: bytes, scan: _Scan) -> None:
    """Inflate each Flate stream under the caps; look inside object streams for objects and pages."""
    for m in _STREAM.finditer(data):
        head_start = data.rfind(b"obj", 0, m.start())
        head = data[max(head_start, m.start() - 4096, 0):m.start()]
        end = data.find(_ENDSTREAM, m.end())
        if end < 0:
            end = len(data)
        inflated = scan.inflate(data[m.end():end], keep=b"/ObjStm" in head)
        if inflated is None:
            continue  # not deflated (images, fonts in other filters): pyHanko does not inflate them
        if b"/ObjStm" in head:
            for n in _N.finditer(head):
                if len(n.group(1)) > 7 or int(n.group(1)) > MAX_OBJECTS:
                    raise too_many_objects()
                scan.count_objects(int(n.group(1)))
            scan.count_pages(inflated)
            _check_declared(inflated)
        scan.tick()


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that would cost the parser more than the limits above."""
    if len(data) > MAX_PDF_BYTES:
        raise refused("the file is larger than %(max)s MB", "too_large", max=MAX_PDF_BYTES // (1024 * 1024))
    scan = _Scan()
    revisions = len(_STARTXREF.findall(data))
    if revisions > MAX_REVISIONS:
        raise refused("the PDF has more than %(max)s revisions (incremental updates)", "too_many_revisions",
                      max=MAX_REVISIONS)
    _check_declared(data)
    scan.count_objects(len(_OBJ.findall(data)))
    scan.count_pages(data)
    _check_xref_tables(data, scan)
    _check_streams(data, scan)
