"""The signature block records how the signature was given (issue 12): device, address, time, witness."""
from __future__ import annotations

from exports.pdf.agreement import RenderInput, render
from tests.exports.pdfkit import RARE_NAME, SIG, pdftotext, terms

UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.4 Mobile/15E148 Safari/604.1")


def _text(tmp_path, sig, locale="zh_CN"):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{locale}.pdf"
    path.write_bytes(render(RenderInput("GC-20261125-001-A001", terms(locale), sig, {}, "c" * 64, "d" * 64,
                                        "http://localhost/verify")))
    return " ".join(pdftotext(path).split())


def test_the_block_names_the_witness_the_address_the_device_and_the_time(tmp_path):
    sig = {**SIG, "device": UA, "address": "203.0.113.7", "witness": "李敏（客服）", "agreed": True}
    text = _text(tmp_path, sig)
    assert "见证工作人员：李敏（客服）" in text
    assert "签署地址（IP）：203.0.113.7" in text
    assert "签署设备：Mozilla/5.0 (iPhone; CPU iPhone OS 17_4" in text
    assert RARE_NAME in text and "2026-11-25 12:30:00" in text  # the time, in the display zone
    en = _text(tmp_path, sig, "en")
    assert "Witnessed by 李敏（客服） (staff)" in en and "Signed from address 203.0.113.7" in en
    assert "Signing device: Mozilla/5.0" in en


def test_a_long_user_agent_is_cut_in_the_block_and_old_signatures_still_render(tmp_path):
    text = _text(tmp_path, {**SIG, "device": "X" * 500, "witness": "王建国"})
    assert "X" * 119 + "…" in text.replace(" ", "") and "X" * 120 not in text.replace(" ", "")
    old = _text(tmp_path, SIG)  # signed before issue 12: no circumstances, nothing invented
    assert "见证" not in old and "签署设备" not in old
