"""Public verification (issue 15): the QR reference or an uploaded PDF → intact / modified / unknown
signer / voided since, the agreement's number and date. Nothing more without the claimant's code."""
from __future__ import annotations

from flask import current_app, render_template, request

from exports.signing import public_report
from exports.signing import service as seal
from incident.errors import ValidationError
from realtime.dbsession import db


MAX_PDF = 25 * 1024 * 1024


def read_upload() -> bytes:
    """The uploaded PDF (form field "file" or an application/pdf body), at most 25 MB."""
    f = request.files.get("file")
    data = f.read(MAX_PDF + 1) if f is not None else (
        request.get_data() if request.mimetype == "application/pdf" else b"")
    if not data:
        raise ValidationError("upload a PDF file (form field 'file' or an application/pdf body)", field="file")
    if len(data) > MAX_PDF:
        raise ValidationError("the file is larger than 25 MB", field="file")
    return data


def page(ref: str):  # type: ignore[no-untyped-def]
    found = public_report.by_ref(db(), ref) if ref else None
    return render_template("public/verify.html", ref=ref, agreement=found, result=None), 200 if (
        found or not ref) else 404


def upload():  # type: ignore[no-untyped-def]
    try:
        full = seal.verify_document(db(), read_upload(), seal.trust_roots(current_app.extensions["concord.settings"]))
        result, status = public_report.public_report(db(), full), 200
    except ValidationError as err:
        from realtime.errors import localized
        result, status = {"error": localized(err)}, 400
    return render_template("public/verify.html", ref="", agreement=None, result=result), status
