"""HTTP plumbing shared by every feature (access rules, parameters, health, vendored assets, pages)
and the registration of all blueprints: a feature adds its module to `realtime/api/` and one line here."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from realtime.api import (
        crowd,
        demands,
        incidents,
        playbooks,
        presence,
        samples,
        taskgroup,
    )
    from realtime.api.documents import agreement_batches, agreements
    from realtime.http import access, health, pages, vendor
    app.register_blueprint(health.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(pages.bp)
    # -- accounts (issue 10): account pages and the "finish your account set-up" gate, then the API
    from realtime.api import accounts as accounts_api
    from realtime.http import account_pages
    account_pages.register(app)
    app.register_blueprint(accounts_api.bp)
    access.register(app)
    app.register_blueprint(incidents.bp)
    app.register_blueprint(taskgroup.bp)
    app.register_blueprint(presence.bp)
    app.register_blueprint(crowd.bp)
    app.register_blueprint(demands.bp)
    app.register_blueprint(samples.bp)
    playbooks.register(app)
    app.register_blueprint(agreements.bp)
    app.register_blueprint(agreements.public)
    app.register_blueprint(agreements.pages)
    app.register_blueprint(agreement_batches.bp)  # durable agreement batches (issue 17)
    # -- exports (issue 14): the case workbook and its tables
    from realtime.api.documents import exports as exports_api
    app.register_blueprint(exports_api.bp)
    # -- the review of a period (issue 14)
    from realtime.api.documents import review as review_api
    app.register_blueprint(review_api.bp)
    # -- segment actions (issue 11)
    from realtime.api.documents import bulk
    app.register_blueprint(bulk.bp)
    app.register_blueprint(bulk.pages)
    # -- claimant import with a column mapping (issue 11)
    app.register_blueprint(crowd.imports)
    # -- board (issue 12): the strip, the section navigation and one fragment route per section
    from realtime.http import board
    app.register_blueprint(board.bp)
    # -- intake follow-up and notifications (issue 12)
    from realtime.api.followup import intake, robots
    app.register_blueprint(intake.bp)
    app.register_blueprint(intake.pages)
    app.register_blueprint(robots.bp)
    app.register_blueprint(robots.pages)
    # -- public side (issue 15): staff API, then the public pages, API, limits and live namespace
    from realtime.api import public as public_admin
    from realtime import public as public_side
    app.register_blueprint(public_admin.bp)
    public_side.register(app)
    # -- callbacks and the written reply (issue 13)
    from realtime.api.followup import callbacks as callbacks_api
    from realtime.api.followup import replies as replies_api
    app.register_blueprint(replies_api.bp)
    app.register_blueprint(callbacks_api.bp)
    # -- ledger, closing gate and archive (issue 13)
    from realtime.api.settlement import closing as closing_api
    from realtime.api.settlement import ledger as ledger_api
    app.register_blueprint(ledger_api.bp)
    app.register_blueprint(closing_api.bp)
    # -- opinion watch (issue 14)
    from realtime.api import opinion as opinion_api
    app.register_blueprint(opinion_api.bp)
