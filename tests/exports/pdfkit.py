"""Helpers for PDF tests: build a sealed agreement PDF without a database, tamper with files."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from exports.agreements.terms import Item, Party, Terms
from exports.pdf.agreement import RenderInput, render

# Rare but covered by WenQuanYi Micro Hei; 𠮷 (U+20BB7) and 䶮 (U+4DAE) come from the fallback fonts (test_glyphs.py).
RARE_NAME = "喆犇鑫"
SIG = {"name": RARE_NAME, "at": "2026-11-25T04:30:00+00:00", "width": 300, "height": 120,
       "strokes": [[[10, 10], [50, 60], [90, 20]], [[100, 100], [150, 30]]]}


def terms(locale: str = "zh_CN", name: str = RARE_NAME) -> Terms:
    return Terms(locale=locale, organisation="锦绣物业管理有限公司", incident_ref="GC-20261125-001",
                 signer=Party(1, name, "3号楼1单元502", "110***********1234"),
                 facts="电梯这个月坏了六次，有老人被困。",
                 items=(Item("电梯维修", "三日内彻底修好", "", "none", "2026-11-28"),
                        Item("当月电梯费", "减免当月电梯费", "120.00", "compensation", "2026-12-05")),
                 clauses={"non_admission": "本补偿系甲方出于善意，不构成甲方对任何过错的承认。",
                          "withdrawal": "乙方撤回就本事项提出的全部投诉。", "confidentiality": "双方保密。",
                          "dispute_resolution": "协商不成的，向甲方所在地人民法院起诉。",
                          "performance": "甲方按期履行。"})


def rendered(ref: str = "GC-20261125-001-A001", locale: str = "zh_CN") -> bytes:
    return render(RenderInput(ref, terms(locale), SIG, {}, "c" * 64, "d" * 64, "http://localhost/verify?ref=" + ref))


def flip_byte(data: bytes) -> bytes:
    b = bytearray(data)
    i = data.index(b"stream", 1000) + 40  # inside a signed content stream
    b[i] ^= 0x01
    return bytes(b)


def append_content(data: bytes) -> bytes:
    """An incremental update that draws new text on page 1 (the signed bytes stay untouched)."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    ref = w.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (PAID 99999) Tj ET"))
    old = page["/Contents"]
    items = list(old) if isinstance(old, generic.ArrayObject) else [old]
    page[generic.NameObject("/Contents")] = generic.ArrayObject(items + [ref])
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def tool(name: str, *args: str) -> str:
    if not shutil.which(name):
        pytest.skip(f"{name} not installed (poppler-utils)")
    return subprocess.run([name, *args], capture_output=True, text=True, timeout=60).stdout


def pdfsig(path: Path) -> str:
    return tool("pdfsig", str(path))


def pdftotext(path: Path) -> str:
    return tool("pdftotext", str(path), "-")
