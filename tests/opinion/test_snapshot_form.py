"""The board's snapshot form takes what a Chinese keyboard types: full-width digits reach the server
(a number input would drop them silently) and are counted; a negative count is a localized 4xx."""
from __future__ import annotations

import re


def test_the_snapshot_form_takes_full_width_digits(api_as, session, counter, frozen):
    inc = counter["incident"]
    base = f"/api/v1/incidents/{inc.id}/opinion"
    cs = api_as(counter["cs"])
    sid = cs.post(f"{base}/sources", json={"platform": "douyin", "url": "https://www.douyin.com/video/7",
                                           "title": "专柜视频"}).get_json()["id"]
    page = cs.get(f"/incidents/{inc.id}/sections/opinion").get_data(as_text=True)
    form = page[page.index('class="op-snap"'):]
    form = form[:form.index("</form>")]
    inputs = re.findall(r'<input[^>]*name="(?:reads|reposts|comments|likes)"[^>]*>', form)
    assert len(inputs) == 4 and all('type="text"' in i and 'inputmode="numeric"' in i for i in inputs)

    r = cs.post(f"{base}/sources/{sid}/snapshots", data={"reposts": "５２０", "reads": "１２０００"},
                content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["snapshots"][0]["reposts"], r.get_json()["snapshots"][0]["reads"]) == (520, 12000)
    frozen.advance(minutes=30)
    neg = cs.post(f"{base}/sources/{sid}/snapshots", data={"reposts": "-5"}, content_type="multipart/form-data")
    assert neg.status_code == 400 and neg.get_json()["field"] == "reposts"
    assert "转发" in neg.get_json()["message_local"]


def test_the_board_chart_has_a_narrow_drawing_for_phones(api_as, session, counter, frozen):
    """At 390 px the 440-pt drawing shrank its labels to ~5 px; phones get a 300-pt one."""
    inc = counter["incident"]
    base = f"/api/v1/incidents/{inc.id}"
    cs = api_as(counter["cs"])
    sid = cs.post(f"{base}/opinion/sources", json={"platform": "weibo", "url": "https://weibo.com/1/a",
                                                   "title": "锦绣花园业主发视频：电梯一个月坏六次，老人被困40分钟",
                                                   "negative": True}).get_json()["id"]
    assert cs.post(f"{base}/opinion/sources/{sid}/snapshots", json={"reposts": 210}).status_code == 201
    page = cs.get(f"/incidents/{inc.id}/sections/opinion").get_data(as_text=True)
    assert 'media="(max-width: 480px)"' in page and "opinion.svg?v=" in page and "width=300" in page
    narrow = cs.get(f"{base}/charts/opinion.svg?width=300")
    assert narrow.status_code == 200 and b'viewBox="0 0 300' in narrow.data and b"210" in narrow.data
    from exports.charts.opinion import opinion_chart
    from incident.timeline.render import Say
    from reportlab.graphics.shapes import String
    from reportlab.pdfbase.pdfmetrics import stringWidth
    d = opinion_chart(session, inc, Say("en"), width=300)
    texts = [x for x in d.contents if isinstance(x, String)]
    assert all(t.x + stringWidth(t.text, t.fontName, t.fontSize) <= 300 for t in texts if t.textAnchor == "start")
    for bad in ("abc", "2000", "-1", "²"):
        r = cs.get(f"{base}/charts/opinion.svg?width={bad}")
        assert r.status_code == 400 and r.get_json()["field"] == "width", bad
    assert cs.get(f"{base}/charts/funnel.svg?width=300").status_code == 400   # that drawing has no width
