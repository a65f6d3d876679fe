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
