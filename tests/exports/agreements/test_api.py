"""Agreements over HTTP: the review path, sealing, download, verification, and bad input as 4xx."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from exports.agreements.models import Agreement
from tests.exports.conftest import ITEMS, STROKES
from tests.factories import PASSWORD
from tests.exports.pdfkit import append_content, flip_byte


def _app(app, seal_settings):  # type: ignore[no-untyped-def]
    app.extensions["concord.settings"] = seal_settings
    return app


def test_review_sign_seal_download_verify_void(app, api_as, session, world, seal_settings):
    _app(app, seal_settings)
    cs, legal = api_as(world["cs"]), api_as(world["legal"])
    r = cs.post(f"/api/v1/incidents/{world['inc'].id}/agreements",
                json={"claimant_id": world["claimant"].id, "items": ITEMS})
    assert r.status_code == 201, r.get_json()
    ag = r.get_json()
    assert ag["status"] == "draft" and ag["terms"]["signer"]["name"] == "王喆"
    assert cs.post(f"/api/v1/agreements/{ag['id']}/submit", json={"version": 1}).status_code == 200
    assert cs.post(f"/api/v1/agreements/{ag['id']}/approve", json={"version": 1}).status_code == 403
    assert legal.post(f"/api/v1/agreements/{ag['id']}/approve", json={"version": 1}).status_code == 200
    r = cs.post(f"/api/v1/agreements/{ag['id']}/sign", json={"version": 1, "signature": {"width": 300}})
    assert r.status_code == 400 and r.get_json()["field"].startswith("signature")
    assert cs.post(f"/api/v1/agreements/{ag['id']}/sign", json={"version": 1, "signature": STROKES}).status_code == 200
    r = legal.post(f"/api/v1/agreements/{ag['id']}/seal", json={"version": 1, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["sealed"]["content_sha256"]
    pdf = legal.get(f"/api/v1/agreements/{ag['id']}/pdf?download=1")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    data = pdf.get_data()

    def verify(blob: bytes):  # type: ignore[no-untyped-def]
        return legal.post("/api/v1/verify", data={"file": (io.BytesIO(blob), "a.pdf")},
                          content_type="multipart/form-data").get_json()
    v = verify(data)
    assert v["verdict"] == "intact" and v["agreement"]["status"] == "sealed" and v["agreement"]["matches_record"]
    assert v["outcome"] == "intact" and v["on_record"]
    assert verify(flip_byte(data))["verdict"] == "modified"
    assert verify(append_content(data))["verdict"] == "modified"
    assert legal.post(f"/api/v1/agreements/{ag['id']}/void", json={"reason": "业主反悔，重新协商"}).status_code == 200
    v = verify(data)
    assert v["verdict"] == "intact" and v["agreement"]["status"] == "void"
    assert v["agreement"]["void_reason"] == "业主反悔，重新协商"
    # The verify page (QR target) shows the record's current status.
    page = legal.client.get(f"/verify?ref={ag['ref']}")
    assert page.status_code == 200 and "业主反悔" in page.get_data(as_text=True)


def test_bad_input_is_a_4xx_naming_the_field_and_stores_nothing(app, api_as, session, world, seal_settings):
    _app(app, seal_settings)
    cs = api_as(world["cs"])
    url = f"/api/v1/incidents/{world['inc'].id}/agreements"
    cases = [({"claimant_id": world["claimant"].id, "items": "x"}, 400, "items"),
             ({"claimant_id": world["claimant"].id, "items": ITEMS, "locale": "de"}, 400, "locale"),
             ({"claimant_id": 424242, "items": ITEMS}, 404, "claimant_id"),
             ({"claimant_id": world["claimant"].id}, 400, "items")]
    for body, status, field in cases:
        r = cs.post(url, json=body)
        assert (r.status_code, r.get_json()["field"]) == (status, field), body
    assert cs.post(url, data="nope", content_type="text/plain").status_code == 400
    assert session.scalar(select(func.count(Agreement.id))) == 0
    r = cs.post("/api/v1/verify", data={}, content_type="multipart/form-data")
    assert r.status_code == 400 and r.get_json()["field"] == "file"
    r = cs.post("/api/v1/agreement-templates", json={"locale": "zh_CN", "clauses": {"withdrawal": "x"}})
    assert r.status_code == 403


def test_legal_edits_templates_as_new_versions(app, api_as, session, world):
    legal = api_as(world["legal"])
    before = legal.get("/api/v1/agreement-templates").get_json()
    assert before["can_edit"] and {t["locale"] for t in before["templates"]} == {"zh_CN", "en"}
    r = legal.post("/api/v1/agreement-templates", json={"locale": "zh_CN", "clauses": {"confidentiality": "保密三年。"},
                                                        "note": "保密期限"})
    assert r.status_code == 201 and r.get_json()["version"] == 2
    r = legal.post("/api/v1/agreement-templates", json={"locale": "zh_CN", "clauses": {"confidentiality": ""}})
    assert r.status_code == 400 and r.get_json()["field"] == "clauses.confidentiality"


def test_agreement_page_and_section_render(app, api_as, session, world):
    cs = api_as(world["cs"])
    r = cs.post(f"/api/v1/incidents/{world['inc'].id}/agreements",
                json={"claimant_id": world["claimant"].id, "items": ITEMS})
    ag = r.get_json()
    page = cs.client.get(f"/agreements/{ag['id']}")
    assert page.status_code == 200 and "王喆" in page.get_data(as_text=True)
    inc_page = cs.client.get(f"/incidents/{world['inc'].id}")
    assert inc_page.status_code == 200 and ag["ref"] in inc_page.get_data(as_text=True)
    prev = cs.get(f"/api/v1/agreements/{ag['id']}/preview.pdf")
    assert prev.status_code == 200 and prev.get_data().startswith(b"%PDF")


def test_incident_report_pdf_lists_the_timeline(app, api_as, session, world, tmp_path):
    from tests.exports.pdfkit import pdftotext
    cs = api_as(world["cs"])
    cs.post(f"/api/v1/incidents/{world['inc'].id}/agreements", json={"claimant_id": world["claimant"].id,
                                                                     "items": ITEMS})
    r = cs.get(f"/api/v1/incidents/{world['inc'].id}/report.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(r.get_data())
    text = pdftotext(path)
    session.refresh(world["inc"])
    assert "事件报告" in text and "协议已起草" in text and world["inc"].head_hash[:16] in text.replace("\n", "")
    assert cs.get("/api/v1/incidents/999999/report.pdf").status_code in (403, 404)  # no existence leak


def test_sealing_without_a_certificate_is_a_409_naming_the_setting(app, api_as, session, world):
    cs, legal = api_as(world["cs"]), api_as(world["legal"])
    ag = cs.post(f"/api/v1/incidents/{world['inc'].id}/agreements",
                 json={"claimant_id": world["claimant"].id, "items": ITEMS}).get_json()
    cs.post(f"/api/v1/agreements/{ag['id']}/submit", json={"version": 1})
    legal.post(f"/api/v1/agreements/{ag['id']}/approve", json={"version": 1})
    cs.post(f"/api/v1/agreements/{ag['id']}/sign", json={"version": 1, "signature": STROKES})
    r = legal.post(f"/api/v1/agreements/{ag['id']}/seal", json={"version": 1})
    assert r.status_code == 409 and r.get_json()["field"] == "signing_p12"
    assert legal.get(f"/api/v1/agreements/{ag['id']}").get_json()["status"] == "signed"
