"""`concord init` creates the demo seal; `concord verify FILE` exits by verdict."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from exports.signing.signer import load_sealer
from tests.exports.pdfkit import append_content, rendered
from tests.live import concord


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "instance"
    out = concord(path, "init", "--admin-password", "admin-pass-123")
    assert "organisation seal" in out.stdout
    return path


def test_init_creates_a_certificate_and_verify_exit_codes(instance, tmp_path):
    cfg = json.loads((instance / "concord.json").read_text())
    assert cfg["signing_p12"] == "org-seal.p12" and (instance / "org-seal.p12").stat().st_mode & 0o077 == 0
    sealer = load_sealer(instance / cfg["signing_p12"], cfg["signing_password"])
    sealed = sealer.seal(rendered(), "Concord-GC-20261125-001-A001")
    # sealed by our certificate, but no agreement of this instance was sealed into it (issue 17):
    # its own outcome and exit code, never "intact" (0)
    cases = {"ok.pdf": (sealed, 7, "intact, but not a sealed agreement on record"),
             "incr.pdf": (append_content(sealed), 3, "modified"),
             "plain.pdf": (rendered(), 5, "unsigned")}
    for name, (data, code, word) in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        r = concord(instance, "verify", str(f), check=False)
        assert (r.returncode, word in r.stdout) == (code, True), (name, r.stdout, r.stderr)
    r = concord(instance, "verify", str(tmp_path / "missing.pdf"), check=False)
    assert r.returncode == 2 and "does not exist" in r.stderr  # click's usage error


def test_init_keeps_an_existing_certificate(instance):
    before = (instance / "org-seal.p12").read_bytes()
    concord(instance, "init")
    assert (instance / "org-seal.p12").read_bytes() == before
    r = concord(instance, "agreements", "demo-certificate", check=False)
    assert r.returncode == 1 and "configured already" in r.stderr
