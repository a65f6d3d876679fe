"""No blank characters in a document (issue 11): rare name characters print through the font chain,
and what no font holds is refused at input with a 400 naming the character."""
from __future__ import annotations

import re
import subprocess

import pytest
from reportlab.platypus import SimpleDocTemplate

from exports.pdf import fonts
from exports.pdf.agreement import RenderInput, render
from exports.pdf.document import para, styles
from incident.errors import ValidationError
from incident.intake import printable
from tests.exports.conftest import ITEMS, STROKES
from tests.exports.pdfkit import SIG, pdftotext, terms, tool
from tests.factories import PASSWORD

# Surname and given-name characters people really have: common-but-rare (in the body font), Extension A,
# B, C, D, E, F, G and H, compatibility ideographs; each must come out of the PDF as itself.
RARE = ["𠮷", "䶮", "㛃", "龘", "𪚥", "𡈼", "喆", "犇", "鑫", "堃", "赟", "玥", "昇", "丂", "㐀", "㵘", "䲜",
        "𠀀", "𠇔", "𣲷", "𤭢", "𥖨", "𧴌", "𨭎", "𩸞", "𪜀", "𫝀", "𫠠", "𬺰", "𰀀", "𱍐", "\U0002F800"]
NOWHERE = ["🦄", "\U00030041"]  # a unicorn and an Extension G character no installed font holds


def _pdf_fonts(path) -> str:  # type: ignore[no-untyped-def]
    return tool("pdffonts", str(path))


def test_every_rare_character_has_a_font_whose_cmap_holds_it():
    for ch in RARE:
        name = printable.font_for(ch)
        assert name is not None, f"U+{ord(ch):04X}"
        assert printable.face(name).face.charToGlyph.get(ord(ch)), (ch, name)
    assert printable.font_for("张") == printable.PRIMARY and printable.font_for("A") == printable.PRIMARY
    assert {printable.font_for(ch) for ch in RARE} >= {"WQY", "HanaMinA", "HanaMinB", "BabelStoneHan"}
    assert printable.missing_chars("张" + "".join(RARE)) == []
    assert printable.missing_chars("王🦄二🦄\U00030041") == NOWHERE


def test_runs_switch_font_only_where_needed():
    assert printable.runs("张𠮷三") == [("WQY", "张"), ("HanaMinA", "𠮷"), ("WQY", "三")]
    assert fonts.markup("<b>𠮷</b>\n") == '&lt;b&gt;<font name="HanaMinA">𠮷</font>&lt;/b&gt;<br/>'


def test_each_rare_character_is_extracted_by_pdftotext_from_its_font(tmp_path):
    st = styles()
    path = tmp_path / "rare.pdf"
    doc = SimpleDocTemplate(str(path), invariant=1)
    doc.build([para(f"{n}: 张{ch}明 <script>", st["body"]) for n, ch in enumerate(RARE)])
    text = pdftotext(path)
    for n, ch in enumerate(RARE):
        assert f"{n}: 张{ch}明 <script>" in text, f"U+{ord(ch):04X}"
    embedded = _pdf_fonts(path)
    for name in {printable.font_for(ch) for ch in RARE}:
        assert re.search(rf"\+{name[:6]}", embedded.replace("WenQuanYiMicroHei", "WQY")), (name, embedded)


def test_canvas_text_signer_name_and_footer_use_the_chain(tmp_path):
    name = "张𠮷䶮𰀀"
    data = render(RenderInput("GC-1-A001", terms(name=name), SIG | {"name": name}, {}, "c" * 64, "d" * 64,
                              "http://localhost/verify"))
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    text = pdftotext(path)
    assert f"乙方：{name}" in text              # party line (paragraph)
    assert f"{name} 签署于" in text              # under the signature (canvas drawString runs)
    png = tmp_path / "p"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "2", "-l", "2", str(path), str(png)], check=True,
                   timeout=60)
    assert (tmp_path / "p-2.png").stat().st_size > 1000


def test_non_bmp_to_unicode_is_utf16():
    assert fonts._utf16_hex(0x20BB7) == "D842DFB7" and fonts._utf16_hex(0x5F20) == "5F20"


def test_check_names_the_character_and_the_field():
    with pytest.raises(ValidationError) as err:
        printable.check("王🦄", "name")
    assert err.value.field == "name" and "🦄 (U+1F984)" in err.value.message
    assert err.value.details["reason"] == "unprintable"
    from incident.i18n import Translator
    zh = err.value.localized(Translator("zh_CN"), "姓名")
    assert "姓名含有文书字体无法打印的字符：🦄 (U+1F984)" in zh


def test_claimant_with_an_unprintable_name_is_refused_with_a_400(session, api_as, world):
    api = api_as(world["leader"])
    url = f"/api/v1/incidents/{world['inc'].id}/claimants"
    r = api.post(url, {"name": "王🦄", "unit": "3-1-1201", "phone": "13812345678"})
    assert r.status_code == 400 and r.get_json()["field"] == "name"
    assert "🦄" in r.get_json()["message"]
    r = api.post(url, {"name": "王五", "unit": "3栋\U00030041室", "phone": "13812345679"})
    assert r.status_code == 400 and r.get_json()["field"] == "unit" and "U+30041" in r.get_json()["message"]


def test_intake_and_demand_text_are_checked():
    from incident.intake.schema import parse_changes, text
    with pytest.raises(ValidationError) as err:
        text({"title": "电梯🦄"}, "title")
    assert err.value.field == "title"
    assert text({"notes": "🦄 现场"}, "notes") == "🦄 现场"  # not printed: kept as typed
    with pytest.raises(ValidationError):
        parse_changes({"core_demand": "修电梯🦄"})
    from incident.crowd.demands.fields import parse_text
    with pytest.raises(ValidationError) as err:
        parse_text("退款🦄", "remedy", 100)
    assert err.value.field == "remedy"


def test_a_claimant_named_with_a_rare_character_gets_a_sealed_agreement_that_prints_it(
        app, api_as, session, world, seal_settings, tmp_path):
    app.extensions["concord.settings"] = seal_settings
    leader, cs, legal = api_as(world["leader"]), api_as(world["cs"]), api_as(world["legal"])
    r = leader.post(f"/api/v1/incidents/{world['inc'].id}/claimants",
                    {"name": "张𠮷", "unit": "3号楼1单元𡈼室", "phone": "13812340000"})
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]
    r = cs.post(f"/api/v1/incidents/{world['inc'].id}/agreements", json={"claimant_id": cid, "items": ITEMS})
    assert r.status_code == 201, r.get_json()
    ag = r.get_json()
    assert cs.post(f"/api/v1/agreements/{ag['id']}/submit", json={"version": 1}).status_code == 200
    assert legal.post(f"/api/v1/agreements/{ag['id']}/approve", json={"version": 1}).status_code == 200
    assert cs.post(f"/api/v1/agreements/{ag['id']}/sign", json={"version": 1, "signature": STROKES, "agreed": True}).status_code == 200
    r = legal.post(f"/api/v1/agreements/{ag['id']}/seal", json={"version": 1, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    pdf = legal.get(f"/api/v1/agreements/{ag['id']}/pdf?download=1")
    path = tmp_path / "sealed.pdf"
    path.write_bytes(pdf.get_data())
    text = pdftotext(path)
    assert "乙方：张𠮷" in text and "3号楼1单元𡈼室" in text
    assert "张𠮷 签署于" in text or "姓名：张𠮷" in text
    assert "HanaMinA" in _pdf_fonts(path)


def test_unchecked_free_text_prints_a_code_point_never_a_blank(tmp_path):
    # A note or a user's display name reaches the incident report without the input check.
    assert fonts.runs("王\u200d🦄𠮷") == [("WQY", "王[U+1F984]"), ("HanaMinA", "𠮷")]
    path = tmp_path / "note.pdf"
    SimpleDocTemplate(str(path), invariant=1).build([para("现场记录：王🦄二\U00030041", styles()["body"])])
    assert "现场记录：王[U+1F984]二[U+30041]" in pdftotext(path)


# CJK Extension G (Unicode 13) and H (Unicode 15): BabelStone Han, the last font of the chain, holds about
# 62% of G and 54% of H (fonts-babelstone-han 15.0.5; no Debian font holds more). Python 3.11's character
# database predates H, so coverage is judged by the fonts' cmaps, never by unicodedata.
EXT_G, EXT_H = range(0x30000, 0x3134B), range(0x31350, 0x323B0)


@pytest.mark.parametrize("block", [EXT_G, EXT_H], ids=["G", "H"])
def test_extension_g_and_h_either_print_or_are_refused(block):
    held = {cp for f in printable.CHAIN for cp in printable._cmap(f.name)}
    covered = [cp for cp in block if cp in held]
    assert len(covered) > len(block) // 2  # the chain really carries the block (BabelStone Han installed)
    for cp in block:  # every character: a font whose cmap has a glyph for it, or the input check refuses it
        ch = chr(cp)
        font = printable.font_for(ch)
        if cp in held:
            assert font is not None and printable.face(font).face.charToGlyph.get(cp), f"U+{cp:04X}"
        else:
            assert font is None and printable.missing_chars(f"王{ch}") == [ch], f"U+{cp:04X}"


def test_extension_g_and_h_names_print_and_the_rest_get_a_400_naming_them(session, api_as, world, tmp_path):
    held = {cp for f in printable.CHAIN for cp in printable._cmap(f.name)}
    g_in, h_in = (chr(next(cp for cp in b if cp in held)) for b in (EXT_G, EXT_H))
    g_out, h_out = (next(cp for cp in b if cp not in held) for b in (EXT_G, EXT_H))
    api = api_as(world["leader"])
    url = f"/api/v1/incidents/{world['inc'].id}/claimants"
    r = api.post(url, {"name": f"张{g_in}{h_in}", "unit": "3-1-1201", "phone": "13812345670"})
    assert r.status_code == 201, r.get_json()
    path = tmp_path / "gh.pdf"
    SimpleDocTemplate(str(path), invariant=1).build([para(f"乙方：张{g_in}{h_in}", styles()["body"])])
    assert f"乙方：张{g_in}{h_in}" in pdftotext(path) and "BabelStone" in _pdf_fonts(path)
    for n, cp in enumerate((g_out, h_out)):
        r = api.post(url, {"name": f"李{chr(cp)}", "unit": f"3-1-130{n}", "phone": f"1381234568{n}"},
                     headers={"Accept-Language": "zh-CN"})
        body = r.get_json()
        assert r.status_code == 400 and body["field"] == "name" and f"U+{cp:04X}" in body["message"], body
        assert f"U+{cp:04X}" in body["message_local"] and "姓名" in body["message_local"]
