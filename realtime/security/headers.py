"""Security headers on every response, and the cookie names.

Pages get a strict Content-Security-Policy: scripts and styles only from this origin (no inline
script, no inline style, no eval — every page script is a file under realtime/static/, page data
travels in `<script type="application/json">` blocks or data- attributes), sockets only to this
origin, no plugins, no framing, forms only to this origin. Every other response (JSON, CSV, files)
gets `default-src 'none'`; PDFs only `frame-ancestors 'none'`, so that the browser's own PDF viewer
keeps working. HSTS is sent when the public URL is https.
"""
from __future__ import annotations

from flask import Flask, Response

from incident.settings import Settings

HSTS = "max-age=31536000; includeSubDomains"
SESSION_COOKIE = "concord_session"
DEVICE_COOKIE = "concord_device"


def secure(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


def cookie_name(base: str, settings: Settings) -> str:
    """Under https the `__Host-` prefix: the browser then only accepts the cookie when it is Secure,
    has Path=/ and no Domain, so a sibling subdomain cannot plant or overwrite it."""
    return f"__Host-{base}" if secure(settings) else base


def socket_origins(settings: Settings) -> str:
    """ws:// and wss:// forms of the allowed origins ('self' alone does not cover them everywhere)."""
    out = []
    for origin in settings.origins():
        if origin.startswith("https://"):
            out.append("wss://" + origin[len("https://"):])
        elif origin.startswith("http://"):
            out.append("ws://" + origin[len("http://"):])
    return " ".join(out)


def page_policy(settings: Settings) -> str:
    sockets = socket_origins(settings)
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "font-src 'self'", "media-src 'self' blob:", f"connect-src 'self' {sockets}".rstrip(),
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ])


NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'"
PDF_POLICY = "frame-ancestors 'none'"


def register(app: Flask, settings: Settings) -> None:
    page = page_policy(settings)
    hsts = secure(settings)

    @app.after_request
    def _headers(resp: Response) -> Response:
        mimetype = resp.mimetype or ""
        if mimetype == "text/html":
            policy = page
        elif mimetype == "application/pdf":
            policy = PDF_POLICY
        else:
            policy = NON_PAGE_POLICY
        resp.headers.setdefault("Content-Security-Policy", policy)
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if hsts:
            resp.headers["Strict-Transport-Security"] = HSTS
        resp.headers.pop("Server", None)
        return resp
