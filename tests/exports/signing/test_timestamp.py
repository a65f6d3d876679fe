"""PAdES B-T: with a TSA URL configured the seal carries an RFC 3161 timestamp (loopback stub)."""
from __future__ import annotations

from exports.agreements.enums import Verdict
from exports.signing.signer import load_sealer
from exports.signing.verification import verify_pdf
from tests.exports.conftest import P12_PASSWORD
from tests.exports.pdfkit import append_content, pdfsig, rendered
from tests.exports.tsa_stub import TsaStub


def test_b_t_seal_is_timestamped_and_still_detects_tampering(p12, tmp_path):
    with TsaStub() as tsa:
        sealer = load_sealer(p12, P12_PASSWORD, tsa_url=tsa.url)
        sealed = sealer.seal(rendered(), "Concord-GC-20261125-001-A001")
        assert tsa.requests == 1
    rep = verify_pdf(sealed, [sealer.certificate, tsa.cert])
    assert rep.verdict == Verdict.INTACT and rep.timestamped
    # Without trusting the TSA the overall verdict is not "intact": one flag is not the verdict.
    assert verify_pdf(sealed, [sealer.certificate]).verdict != Verdict.INTACT
    assert verify_pdf(append_content(sealed), [sealer.certificate, tsa.cert]).verdict == Verdict.MODIFIED
    path = tmp_path / "bt.pdf"
    path.write_bytes(sealed)
    assert "Signature is Valid" in pdfsig(path)
