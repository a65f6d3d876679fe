"""The opinion watch in the case's documents: the trend chart and the summary lines on the report's
first page (read back with pdftotext, the page rendered with pdftoppm shows the chart), and the
workbook's opinion sheet (growth per snapshot, formula-safe cells)."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from exports.reports.incident_report import incident_report
from exports.workbook import writer
from incident.db import begin_write
from incident.opinion import service as opinion
from playbooks.scheduler.opinion import rule
from tests.opinion.conftest import png


@pytest.fixture
def watched(session, counter, frozen):  # type: ignore[no-untyped-def]
    inc, cs = counter["incident"], counter["cs"].actor
    src = opinion.add_source(session, actor=cs, incident_id=inc.id, platform="dianping",
                             url="https://www.dianping.com/shop/1/review/2", title="=HYPERLINK(\"x\") 差评：过期面霜",
                             negative=True, rule=rule())
    for n in (210, 340, 520):
        opinion.add_snapshot(session, actor=cs, incident_id=inc.id, source_id=src.id, data={"reposts": n},
                             screenshot=("s.png", "image/png", png()), rule=rule())
        frozen.advance(minutes=30)
    session.commit()
    begin_write(session)
    return counter


def test_the_workbook_has_the_opinion_sheet(session, watched):
    _inc, data = writer.workbook(session, actor=watched["leader"].actor, incident_id=watched["incident"].id)
    ws = load_workbook(io.BytesIO(data))["舆情监测"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    reposts, growth = head.index("转发"), head.index("转发 +")
    assert [r[reposts] for r in rows[1:]] == [210, 340, 520]
    assert [r[growth] for r in rows[1:]] == [None, 130, 180]
    assert rows[1][1].startswith("'=")  # a title that looks like a formula is quoted
    assert all(len(r[head.index("截图")]) == 64 for r in rows[1:])


@pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"), reason="poppler-utils missing")
def test_the_report_shows_the_trend_and_the_summary(session, watched, tmp_path):
    pdf = incident_report(session, actor=watched["leader"].actor, incident_id=watched["incident"].id)
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-l", "2", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "舆情趋势" in text and "舆情监测" in text and "监测帖子 1 条" in text
    assert "520 (+180)" in text
    assert "负面帖子回复" in text and "待回复 1" in text
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(path), str(tmp_path / "p")], check=True)
    from PIL import Image
    reds = 0
    for png_page in sorted(tmp_path.glob("p*.png")):
        page = Image.open(png_page).convert("RGB")
        reds += sum(1 for px in page.getdata() if px[0] > 150 and px[1] < 90 and px[2] < 90)
    assert reds > 20  # the red trend line is drawn before the timeline


def test_the_summary_image_is_a_picture(session, watched):
    from exports.charts import output
    from exports.charts.opinion import opinion_chart
    from incident.timeline.render import Say
    data, media = output.png(opinion_chart(session, watched["incident"], Say("en")))
    assert (media == "image/png" and data.startswith(b"\x89PNG")) or (media == "image/svg+xml" and b"<svg" in data)


def test_a_case_without_watched_posts_has_no_opinion_sheet(session, counter):
    _inc, data = writer.workbook(session, actor=counter["leader"].actor, incident_id=counter["incident"].id)
    assert "舆情监测" not in load_workbook(io.BytesIO(data)).sheetnames


def test_the_report_line_counts_posts_without_a_wrong_plural(session, watched):
    from exports.reports.opinion import opinion_lines
    from incident.timeline.render import Say
    (label, text), _replies = opinion_lines(session, watched["incident"], Say("en"))
    assert "1 posts" not in text and "posts watched: 1" in text       # the English report said "1 posts watched"
    (label, text), _replies = opinion_lines(session, watched["incident"], Say("zh_CN"))
    assert "监测帖子 1 条" in text


def test_two_posts_counted_at_the_same_moment_have_figures_that_do_not_overlap(session, counter, frozen):
    from reportlab.graphics.shapes import String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from exports.charts.opinion import opinion_chart
    from incident.timeline.render import Say
    inc, cs = counter["incident"], counter["cs"].actor
    posts = [opinion.add_source(session, actor=cs, incident_id=inc.id, platform="douyin", negative=False,
                                url=f"https://www.douyin.com/video/{k}", title=f"视频{k}", rule=rule()) for k in (1, 2)]
    for n in (210, 340):  # both posts counted together, with the same figures: the same points
        for src in posts:
            opinion.add_snapshot(session, actor=cs, incident_id=inc.id, source_id=src.id, data={"reposts": n},
                                 rule=rule())
        frozen.advance(minutes=30)
    session.commit()
    begin_write(session)
    d = opinion_chart(session, inc, Say("zh_CN"))
    figures = [s for s in d.contents if isinstance(s, String) and (s.text == "210" or "(+130)" in s.text)]
    assert len(figures) == 4, [s.text for s in d.contents if isinstance(s, String)]
    boxes = [(s.x - stringWidth(s.text, s.fontName, 7) / 2, s.y, s.x + stringWidth(s.text, s.fontName, 7) / 2,
              s.y + 7) for s in figures]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= d.width  # inside the drawing
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
