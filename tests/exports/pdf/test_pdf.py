"""Sealed PDFs: tampering detected by the app and by poppler's pdfsig; Chinese text extractable."""
from __future__ import annotations

import pytest

from exports.agreements.enums import Verdict
from exports.pdf.fonts import missing_chars
from exports.signing.certificates import write_p12
from exports.signing.signer import load_sealer
from exports.signing.verification import verify_pdf
from tests.exports.conftest import P12_PASSWORD
from tests.exports.pdfkit import (
    RARE_NAME,
    append_content,
    flip_byte,
    pdfsig,
    pdftotext,
    rendered,
)


@pytest.fixture(scope="module")
def sealed(sealer) -> bytes:  # type: ignore[no-untyped-def]
    return sealer.seal(rendered(), "Concord-GC-20261125-001-A001")


def test_intact_seal_is_trusted(sealed, sealer, tmp_path):
    rep = verify_pdf(sealed, [sealer.certificate])
    assert rep.verdict == Verdict.INTACT and rep.covers_whole_file
    assert rep.agreement_ref == "GC-20261125-001-A001"
    path = tmp_path / "a.pdf"
    path.write_bytes(sealed)
    out = pdfsig(path)
    assert "Signature is Valid" in out and "Total document signed" in out


def test_flipped_byte_is_detected_by_app_and_pdfsig(sealed, sealer, tmp_path):
    bad = flip_byte(sealed)
    assert verify_pdf(bad, [sealer.certificate]).verdict == Verdict.MODIFIED
    path = tmp_path / "flip.pdf"
    path.write_bytes(bad)
    out = pdfsig(path)
    assert "Signature is Valid" not in out and "Digest Mismatch" in out


def test_incremental_update_is_detected_by_app_and_pdfsig(sealed, sealer, tmp_path):
    bad = append_content(sealed)
    rep = verify_pdf(bad, [sealer.certificate])
    # The signed byte ranges are intact — one flag alone would say "valid".
    assert rep.intact and rep.verdict == Verdict.MODIFIED and not rep.covers_whole_file
    path = tmp_path / "incr.pdf"
    path.write_bytes(bad)
    assert "Not total document signed" in pdfsig(path)


def test_other_certificate_is_an_unknown_signer(sealed, tmp_path):
    other = load_sealer(write_p12(tmp_path / "other.p12", "Other Org", P12_PASSWORD), P12_PASSWORD)
    assert verify_pdf(sealed, [other.certificate]).verdict == Verdict.UNKNOWN_SIGNER


def test_unsigned_and_non_pdf(sealer):
    assert verify_pdf(rendered(), [sealer.certificate]).verdict == Verdict.UNSIGNED
    assert verify_pdf(b"hello", [sealer.certificate]).verdict == Verdict.NOT_PDF


def test_pdftotext_returns_the_chinese_text_and_rare_names(sealed, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(sealed)
    text = pdftotext(path)
    for phrase in ("和解协议书", "锦绣物业管理有限公司", RARE_NAME, "减免当月电梯费",
                   "GC-20261125-001-A001", "不构成甲方对任何过错的承认"):
        assert phrase in text, phrase
    assert "第1页/共2页" in text.replace(" ", "")


def test_english_rendering(tmp_path):
    path = tmp_path / "en.pdf"
    path.write_bytes(rendered(locale="en"))
    text = pdftotext(path)
    assert "Settlement Agreement" in text and "Page 1 of" in text and "锦绣物业管理有限公司" in text


def test_rendering_is_deterministic():
    assert rendered() == rendered()


def test_font_limits_are_known():
    assert missing_chars(RARE_NAME + "王建国") == []
    assert missing_chars("𠮷野🦄") == ["🦄"]  # 𠮷 comes from the fallback chain (test_glyphs.py)
