"""Serve third-party browser libraries from node_modules (installed by `npm ci`, never vendored)."""
from pathlib import Path

from flask import Blueprint, abort, send_from_directory

bp = Blueprint("vendor", __name__)
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
ASSETS = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "signature_pad.umd.min.js": "signature_pad/dist/signature_pad.umd.min.js",
}


@bp.get("/vendor/<name>")
def asset(name: str):  # type: ignore[no-untyped-def]
    rel = ASSETS.get(name)
    if rel is None or not (NODE_MODULES / rel).is_file():
        abort(404, f"{name} is not installed: run `make deps`")
    return send_from_directory(NODE_MODULES, rel, max_age=3600)
