"""Browser and transport hardening (issue 10): security headers and cookie names, the one
redirect check, trusted proxies, the device cookie of the login throttle, socket limits, and the
web side of the security log with its admin page."""
from __future__ import annotations

from flask import Flask

from incident.security import labels as _labels  # noqa: F401  (the log's vocabulary)
from incident.security.log import configure_file
from incident.settings import Settings

LOG_NAME = "security.log"


def register(app: Flask, settings: Settings) -> None:
    """Headers on every response, the security log's file and its admin page."""
    from realtime.security import headers, page
    headers.register(app, settings)
    configure_file(settings.instance / LOG_NAME)
    app.register_blueprint(page.bp)


def trust_proxies(app: Flask, settings: Settings) -> None:
    """Believe X-Forwarded-For / -Proto from exactly `trusted_proxies` proxies (none by default).

    Applied last, outside the Socket.IO middleware, so sockets see the real client address too.
    Without it a client could claim any address by sending the header itself.
    """
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
