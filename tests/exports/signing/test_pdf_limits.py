"""PDFs beyond the verifier's limits are refused from their bytes, before pyHanko parses them.

One crafted file per limit of exports/signing/pdf_limits.py — the 10 KB file whose xref stream declares
two million entries first of all (it cost 13 s of CPU and 390 MB in pyHanko). pyHanko's reader is
replaced by a tripwire, so what is tested is "refused before parsing", not a time.
"""
from __future__ import annotations

import io
import zlib

import pytest

from exports.signing import pdf_limits, verification
from exports.signing.verification import verify_pdf
from incident.errors import ValidationError
from tests.exports.pdfkit import rendered

OBJS = [b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>\nendobj\n"]


def _body(objs: list[bytes] = OBJS) -> tuple[bytes, list[int]]:
    out, offsets = b"%PDF-1.7\n", []
    for o in objs:
        offsets.append(len(out))
        out += o
    return out, offsets


def xref_stream_pdf(entries: int, declared: int | None = None, extra: bytes = b"") -> bytes:
    """A PDF whose cross-reference is a deflated stream of *entries* rows (zeros compress to nothing)."""
    out, offsets = _body()
    start = len(out)
    rows = b"\x00\x00\x00\x00\xff" + b"".join(b"\x01" + o.to_bytes(3, "big") + b"\x00" for o in offsets)
    rows += b"\x01" + start.to_bytes(3, "big") + b"\x00" + b"\x00" * 5 * (entries - 5)
    data = zlib.compress(rows, 9)
    out += (b"4 0 obj\n<< /Type /XRef /Size %d /W [1 3 1] %s/Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % (declared or entries, extra, len(data)) + data + b"\nendstream\nendobj\n")
    return out + b"startxref\n%d\n%%%%EOF\n" % start


def classic_pdf(objs: list[bytes] = OBJS, count: int | None = None, size: int | None = None) -> bytes:
    out, offsets = _body(objs)
    start = len(out)
    n = len(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (count or n)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size or n, start)


@pytest.fixture
def tripwire(monkeypatch):  # type: ignore[no-untyped-def]
    def boom(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("pyHanko parsed a file the limits should have refused")
    monkeypatch.setattr(verification, "PdfFileReader", boom)


def refused(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        verify_pdf(data, [])
    assert err.value.field == "file"
    return err.value


def test_the_crafted_files_are_well_formed_below_the_limits():
    assert verify_pdf(xref_stream_pdf(1000), []).verdict == "unsigned"
    assert verify_pdf(classic_pdf(), []).verdict == "unsigned"


def test_two_million_xref_entries_in_10_kb_are_refused_before_pyhanko(tripwire):
    data = xref_stream_pdf(2_000_000)
    assert len(data) < 12_000
    err = refused(data)
    assert err.details["reason"] == "too_many_objects" and str(pdf_limits.MAX_OBJECTS) in err.message


def test_an_index_or_a_subsection_announcing_too_many_entries_is_refused(tripwire):
    assert refused(xref_stream_pdf(1000, declared=10, extra=b"/Index [0 2000000] ")).details["reason"] == \
        "too_many_objects"
    assert refused(classic_pdf(count=2_000_000)).details["reason"] == "too_many_objects"
    assert refused(classic_pdf(size=99_999_999_999)).details["reason"] == "too_many_objects"


def test_wide_xref_entries_are_refused(tripwire):
    data = xref_stream_pdf(1000).replace(b"/W [1 3 1]", b"/W [1 300000 1]")
    assert refused(data).details["reason"] == "format"


def test_a_stream_inflating_past_its_cap_is_refused(tripwire):
    bomb = zlib.compress(b"\0" * (pdf_limits.MAX_STREAM_BYTES + 1), 9)
    page = b"4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream\nendobj\n"
    data = classic_pdf([*OBJS, page])
    assert len(data) < 200_000
    assert refused(data).details["reason"] == "too_large"


def test_an_object_stream_holding_too_many_objects_or_pages_is_refused(tripwire):
    inner = zlib.compress(b"<< /Type /Page >> " * (pdf_limits.MAX_PAGES + 1))
    objstm = b"4 0 obj\n<< /Type /ObjStm /N 2 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(inner)
    data = classic_pdf([*OBJS, objstm + inner + b"\nendstream\nendobj\n"])
    assert refused(data).details["reason"] == "too_many_pages"
    huge_n = data.replace(b"/N 2 ", b"/N 5000000 ")
    assert refused(huge_n).details["reason"] == "too_many_objects"


def test_too_many_pages_or_revisions_are_refused(tripwire):
    pages = [b"%d 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n" % (i + 4) for i in range(pdf_limits.MAX_PAGES)]
    assert refused(classic_pdf([*OBJS, *pages])).details["reason"] == "too_many_pages"
    revisions = classic_pdf() + b"startxref\n9\n%%EOF\n" * pdf_limits.MAX_REVISIONS
    assert refused(revisions).details["reason"] == "too_many_revisions"


def test_a_real_agreement_passes_the_limits(sealer):
    sealed = sealer.seal(rendered(), "Concord-GC-20261125-001-A001")
    pdf_limits.check_pdf(sealed)  # does not raise
    assert verify_pdf(sealed, [sealer.certificate]).verdict == "intact"


def test_the_verify_api_and_page_answer_400_naming_the_file(api_as, session, tripwire):
    from tests.factories import make_user
    api = api_as(make_user(session))
    bomb = xref_stream_pdf(2_000_000)
    r = api.post("/api/v1/verify", data={"file": (io.BytesIO(bomb), "a.pdf")}, content_type="multipart/form-data")
    body = r.get_json()
    assert r.status_code == 400 and body["field"] == "file" and body["reason"] == "too_many_objects"
    assert "100000" in body["message_local"] and body["message_local"] != body["message"]
    page = api.client.post("/verify", data={"file": (io.BytesIO(bomb), "a.pdf"), "csrf_token": api.csrf},
                           content_type="multipart/form-data")
    assert page.status_code == 400 and "100000" in page.get_data(as_text=True)
