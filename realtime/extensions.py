"""Unbound extensions, bound in create_app."""
from flask_babel import Babel, Domain
from flask_socketio import SocketIO

from incident import i18n


class CatalogDomain(Domain):
    """Serve Flask-Babel from the merged per-feature catalogs of incident.i18n."""

    def get_translations(self):  # type: ignore[override]
        from flask_babel import get_locale
        return i18n.translations(i18n.normalize_locale(str(get_locale())))


socketio = SocketIO()
babel = Babel()
domain = CatalogDomain()
