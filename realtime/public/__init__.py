"""The complainants' side on the web (issue 15): progress page, poster, self-registration, survey,
public verification, the public JSON API and the live public namespace — no login anywhere here.

Everything it shows comes from incident.public.projection (a whitelist) and
exports.signing.public_report; every route is rate-limited per address and per code (limits.py),
answers `X-Robots-Tag: noindex`, and keeps the global strict CSP.
"""
from __future__ import annotations

from flask import Flask, Response, request


def _noindex(resp: Response) -> Response:
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    resp.headers["Cache-Control"] = "no-store"
    return resp


def register(app: Flask) -> None:
    from realtime.auth import CSRF_EXEMPT, PUBLIC_ENDPOINTS
    from realtime.public import api, limits, live, pages
    from realtime.sockets import channel
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    PUBLIC_ENDPOINTS.update(f"{pages.bp.name}.{v}" for v in pages.VIEWS)
    PUBLIC_ENDPOINTS.update(f"{api.bp.name}.{v}" for v in api.VIEWS)
    PUBLIC_ENDPOINTS.update({"verify.page", "verify.upload"})  # the QR on every sealed agreement
    CSRF_EXEMPT.update(f"{api.bp.name}.{v}" for v in api.VIEWS)
    limits.install(app, [pages.bp, api.bp, app.blueprints["verify"]], channel())

    @app.after_request
    def _public_headers(resp: Response) -> Response:
        ep = request.endpoint or ""
        if ep.startswith(("public_pages.", "public_api.", "verify.")):
            return _noindex(resp)
        return resp

    live.register(app)
