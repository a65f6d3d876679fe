"""HTTP blueprints."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from realtime.http import api, health, pages, vendor
    app.register_blueprint(health.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
