"""Uploads and faults (issue 17): a refused tick keeps no file; a full disk answers 507 naming
storage, in the user's language, with the partial file gone and its space given back.

Disk full is a real size-limited tmpfs mounted over the attachments folder (tests/faults/mounts.py;
skipped with the reason where the machine does not allow mounting)."""
from __future__ import annotations

import io

from incident import attachments
from tests.faults.mounts import tmpfs  # noqa: F401  (fixture)
from tests.playbooks.conftest import item


def _pdf(size: int) -> bytes:
    return b"%PDF-1.4 " + b"\xe5\x90\x89 =cmd|<script>" * (size // 20)


def _tick(api, inc, it, data: bytes):  # type: ignore[no-untyped-def]
    return api.post(f"/api/v1/incidents/{inc.id}/checklist/{it.id}/tick",
                    data={"note": "书面答复 𠮷", "file": (io.BytesIO(data), "答复.pdf", "application/pdf")},
                    content_type="multipart/form-data")


def test_a_refused_tick_with_a_file_keeps_no_file(api_as, session, crew):
    inc, api = crew["incident"], api_as(crew["leader"])
    first = item(session, inc.id, "first_contact")
    assert api.post(f"/api/v1/incidents/{inc.id}/checklist/{first.id}/tick", json={"note": "联系过"}).status_code == 200
    again = _tick(api, inc, first, _pdf(2000))  # stored first, then refused: already done
    assert again.status_code == 409, again.get_json()
    assert list(attachments.folder().iterdir()) == []


def test_disk_full_answers_507_naming_storage_and_gives_the_space_back(api_as, session, crew, tmpfs):  # noqa: F811
    fs = tmpfs("attachments", 256)
    attachments.configure(fs.path)
    inc, api = crew["incident"], api_as(crew["leader"])
    first = item(session, inc.id, "first_contact")
    api.post(f"/api/v1/incidents/{inc.id}/checklist/{first.id}/tick", json={"note": "联系过"})
    reply = item(session, inc.id, "written_reply")
    free = fs.free()
    resp = _tick(api, inc, reply, _pdf(400 * 1024))
    body = resp.get_json()
    assert resp.status_code == 507 and body["error"] == "storage_full", body
    assert "storage is full" in body["message"] and "存储空间已满" in body["message_local"]
    assert list(fs.path.iterdir()) == [] and fs.free() == free  # no partial file, the space is back
    ok = _tick(api, inc, reply, _pdf(20 * 1024))
    assert ok.status_code == 200, ok.get_json()
    assert [p.name for p in fs.path.iterdir()] == [hashlib_of(ok, session)]


def hashlib_of(resp, session):  # type: ignore[no-untyped-def]
    from incident.attachments import Attachment
    session.rollback()
    return session.get(Attachment, resp.get_json()["evidence"]["attachment_id"]).sha256
