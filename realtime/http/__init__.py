"""HTTP blueprints. Each feature adds one line below its own marker."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from realtime.http import api, health, pages, vendor
    app.register_blueprint(health.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    # -- task group (issue 3)
    from realtime.http import access, taskgroup_api
    access.register(app)
    app.register_blueprint(taskgroup_api.bp)
    # -- realtime (issue 3)
    from realtime.http import presence_api
    app.register_blueprint(presence_api.bp)
    # -- crowd (issue 4)
    from realtime.http import crowd_api
    app.register_blueprint(crowd_api.bp)
    # -- demands and samples (issue 4)
    from realtime.http import demands_api, samples_api
    app.register_blueprint(demands_api.bp)
    app.register_blueprint(samples_api.bp)
    # -- playbooks (issue 5)
    from realtime.http import playbooks_api
    playbooks_api.register(app)
    # -- agreements (issue 6)
    from realtime.http import agreements_api
    app.register_blueprint(agreements_api.bp)
    app.register_blueprint(agreements_api.public)
    app.register_blueprint(agreements_api.pages)
