"""The opinion watch through the API: a source, snapshots as multipart from the phone (the photo
stored with its hash and served back), field-named refusals, the reply, the summary in both
languages with its chart image, the chart SVG and the board section."""
from __future__ import annotations

import hashlib
import io

from tests.opinion.conftest import png


def shot(api, base, sid, **figures):  # type: ignore[no-untyped-def]
    blob = png()
    data = {k: str(v) for k, v in figures.items()} | {"screenshot": (io.BytesIO(blob), "weibo.png", "image/png")}
    return api.post(f"{base}/sources/{sid}/snapshots", data=data, content_type="multipart/form-data"), blob


def test_watch_through_the_api(api_as, session, counter, frozen):
    inc = counter["incident"]
    base = f"/api/v1/incidents/{inc.id}/opinion"
    cs, leader, outsider = api_as(counter["cs"]), api_as(counter["leader"]), api_as(counter["outsider"])
    bad = cs.post(f"{base}/sources", json={"platform": "weibo", "url": "ftp://x", "title": "t"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "url"
    assert "网址" in bad.get_json()["message_local"]
    assert outsider.post(f"{base}/sources", json={"platform": "weibo", "url": "https://weibo.com/1", "title": "t"}
                         ).status_code == 403
    r = cs.post(f"{base}/sources", json={"platform": "weibo", "url": "https://weibo.com/123/abc",
                                         "title": "专柜过期面霜 #避雷#", "negative": True})
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    assert r.get_json()["reply_state"] == "open"

    first, blob = shot(cs, base, sid, reposts=210, reads=5000)
    assert first.status_code == 201, first.get_json()
    frozen.advance(minutes=30)
    second, _ = shot(cs, base, sid, reposts=340)
    body = second.get_json()
    assert [s["reposts"] for s in body["snapshots"]] == [210, 340]
    assert body["snapshots"][1]["growth"]["reposts"] == 130
    assert body["snapshots"][0]["screenshot_sha256"] == hashlib.sha256(blob).hexdigest()
    got = cs.get(f"{base}/snapshots/{body['snapshots'][0]['id']}/screenshot")
    assert got.status_code == 200 and got.data == blob and got.mimetype == "image/png"
    neg = cs.post(f"{base}/sources/{sid}/snapshots", data={"reposts": "-3"}, content_type="multipart/form-data")
    assert neg.status_code == 400 and neg.get_json()["field"] == "reposts"
    pdf = cs.post(f"{base}/sources/{sid}/snapshots", content_type="multipart/form-data",
                  data={"reads": "1", "screenshot": (io.BytesIO(b"%PDF-1.4"), "x.pdf", "application/pdf")})
    assert pdf.status_code == 400 and pdf.get_json()["field"] == "screenshot"
    assert cs.post(f"{base}/sources/999999/snapshots", json={"reads": 1}).status_code == 404

    watch = leader.get(base).get_json()
    assert watch["rule"]["growth_30min"] == 150 and watch["negative_open"] == 1
    summary = leader.get(f"{base}/summary").get_json()
    assert "专柜过期面霜" in summary["text"]["zh_CN"] and "转发 340（+130）" in summary["text"]["zh_CN"]
    assert "reposts 340" in summary["text"]["en"] and "UTC" not in summary["text"]["zh_CN"]
    image = leader.get(summary["image_url"])
    assert image.status_code == 200 and image.mimetype in ("image/png", "image/svg+xml") and len(image.data) > 500
    svg = leader.get(f"/api/v1/incidents/{inc.id}/charts/opinion.svg")
    assert svg.status_code == 200 and b"340" in svg.data and b"+130" in svg.data

    reply = cs.post(f"{base}/sources/{sid}/reply", json={"text": "已退款并下架，致歉。"})
    assert reply.status_code == 201 and reply.get_json()["reply_state"] == "replied"
    assert cs.post(f"{base}/sources/{sid}/reply", json={"text": "again"}).status_code == 409

    page = leader.get(f"/incidents/{inc.id}/sections/opinion").get_data(as_text=True)
    assert "舆情监测" in page and "+130" in page and 'capture="environment"' in page
    assert "opinion.svg" in page and "None" not in page
