"""The organisation seal: a PAdES signature by pyHanko with a key loaded once per process.

pyHanko's SimpleSigner re-parses the private key for every signature (tens of ms under OpenSSL 3);
KeptKeySigner parses it once. `bytes_reserved` skips pyHanko's dry run that sizes the signature.
B-B by default; B-T (a signature timestamp) when a TSA URL is configured.
"""
from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

RESERVED = 8192          # B-B with an EC or RSA-2048 certificate fits in well under 8 KB
RESERVED_TIMESTAMPED = 16384


class KeptKeySigner(signers.SimpleSigner):
    """SimpleSigner that keeps the parsed private key instead of parsing it for every document."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._key = serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mech = self.get_signature_mechanism_for_digest(digest_algorithm)["algorithm"].native
        h = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey) and mech.endswith("ecdsa"):
            return self._key.sign(data, ec.ECDSA(h))
        if isinstance(self._key, rsa.RSAPrivateKey) and mech.endswith("rsa"):
            return self._key.sign(data, padding.PKCS1v15(), h)
        return super().sign_raw(data, digest_algorithm)


@dataclass
class Sealer:
    signer: KeptKeySigner
    tsa_url: str | None = None

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self.signer.signing_cert

    @property
    def key(self):  # type: ignore[no-untyped-def]
        """The organisation's private key (cryptography), e.g. to sign audit checkpoints."""
        return self.signer._key

    def seal(self, pdf: bytes, field_name: str) -> bytes:
        """Sign *pdf* as an incremental update in a new invisible signature field."""
        w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES,
                                            use_pades_lta=False)
        stamper = HTTPTimeStamper(self.tsa_url, timeout=10) if self.tsa_url else None
        out = signers.PdfSigner(meta, signer=self.signer, timestamper=stamper).sign_pdf(
            w, bytes_reserved=RESERVED_TIMESTAMPED if stamper else RESERVED)
        return out.getvalue()


def load_sealer(p12_path: str | Path, password: str | None, tsa_url: str | None = None) -> Sealer:
    """Read the organisation's PKCS#12 once and build a sealer that keeps the key."""
    data = Path(p12_path).read_bytes()
    pw = password.encode("utf-8") if password else None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
    except ValueError as err:
        raise ValueError(f"cannot open the signing certificate {p12_path}: {err}") from None
    if key is None or cert is None:
        raise ValueError(f"{p12_path} holds no private key and certificate")
    from asn1crypto import keys as asn1_keys
    kinfo = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    acert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra or []]
    signer = KeptKeySigner(signing_cert=acert, signing_key=kinfo,
                           cert_registry=SimpleCertificateStore.from_certs([acert, *chain]))
    return Sealer(signer, tsa_url or None)


@functools.lru_cache(maxsize=4)
def cached_sealer(p12_path: str, password: str | None, tsa_url: str | None) -> Sealer:
    """One sealer per process and configuration: the key stays loaded between documents."""
    return load_sealer(p12_path, password, tsa_url)


def fingerprint(cert: asn1_x509.Certificate) -> str:
    return cert.sha256.hex()


