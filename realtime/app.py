"""Application factory: binds settings, database, translations, sockets and blueprints."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Mapping

from flask import Flask, request, session

from incident import attachments, clock, i18n, privacy
from incident.db import make_engine, make_session_factory
from incident.settings import Settings, load_settings
from realtime import auth, errors, security
from realtime.security.headers import SESSION_COOKIE, cookie_name
from realtime.security.socket_limits import BUFFER as SOCKET_BUFFER
from realtime.dbsession import close_db
from realtime.extensions import babel, domain, socketio


def _select_locale() -> str:
    from realtime.auth import current_user
    if session.get("lang"):
        return i18n.normalize_locale(session["lang"])
    user = current_user() if request.endpoint not in (None, "static") else None
    if user is not None:
        return i18n.normalize_locale(user.locale)
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    return i18n.normalize_locale(best or i18n.DEFAULT_LOCALE)


def create_app(settings: Settings | None = None, config: Mapping[str, Any] | None = None,
               engine: Any = None) -> Flask:
    """Build the Flask app; tests pass their own settings, engine and config mapping."""
    settings = settings or load_settings()
    app = Flask(__name__, instance_path=str(settings.instance), instance_relative_config=False)
    # -- inputs (issue 17): bounded ids in paths, JSON that cannot raise, no NUL / CR-LF in redirects
    from realtime.http import inputs
    inputs.register(app)
    secure = settings.public_url.startswith("https://")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME=cookie_name(SESSION_COOKIE, settings),  # __Host- prefix under https
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT_LOCALE,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        JSON_AS_ASCII=False,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["concord.settings"] = settings
    privacy.configure(settings.field_key)
    attachments.configure(settings.instance / "attachments")
    clock.configure_zone(settings.timezone)
    engine = engine or make_engine(settings.database_url, **pool_options())  # -- resource faults (issue 17)
    app.extensions["concord.engine"] = engine
    app.extensions["concord.sessions"] = make_session_factory(engine)
    app.teardown_appcontext(close_db)

    babel.init_app(app, locale_selector=_select_locale)
    babel.domain_instance = domain  # cached_property: our merged-catalog domain replaces the default
    auth.register(app)
    errors.register(app)
    security.register(app, settings)  # -- issue 10: headers, security log

    from realtime.http import register_blueprints
    register_blueprints(app)

    from realtime import sockets
    # Explicit origin allowlist (never '*'); with Redis, rooms are shared by every server process.
    # client_manager is always passed: the extension object is shared by every app of a process.
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "threading"),
        cors_allowed_origins=settings.origins(),
        cors_credentials=True,
        client_manager=sockets.queue_manager(settings),
        manage_session=False,
        ping_interval=10,
        ping_timeout=20,
        max_http_buffer_size=SOCKET_BUFFER,  # -- issue 10: above the per-event limit (socket_limits.py)
    )
    sockets.register(app, settings)
    # -- accounts (issue 10): sessions end everywhere (sockets of ended sessions, lost seats)
    from realtime.sessions import control as session_control
    session_control.register(app, settings, sockets.channel())

    from realtime import templating
    templating.register(app)
    security.trust_proxies(app, settings)  # -- issue 10: last, outside the Socket.IO middleware
    return app


# -- resource faults (issue 17)
POOL_RECYCLE_DEFAULT = 1800  # seconds: pooled connections older than this are replaced before use


def pool_options() -> dict[str, int]:
    """Connections idle in the pool are recycled after CONCORD_POOL_RECYCLE seconds (firewalls and
    PostgreSQL's idle_session_timeout drop them silently); pre-ping catches the rest."""
    raw = os.environ.get("CONCORD_POOL_RECYCLE") or str(POOL_RECYCLE_DEFAULT)
    try:
        return {"pool_recycle": max(int(raw), 1)}
    except ValueError:
        return {"pool_recycle": POOL_RECYCLE_DEFAULT}
