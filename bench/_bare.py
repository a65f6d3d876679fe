"""The baseline: a bare Flask-SocketIO server that broadcasts whatever is POSTed to /emit.

`python -m bench._bare --port P --mode gthread|werkzeug|gevent [--threads T]`. Same Socket.IO
options as Concord's server (ping interval/timeout, origin allowlist), no database, no auth.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone


def make_app(mode: str, origin: str):  # type: ignore[no-untyped-def]
    from flask import Flask, request
    from flask_socketio import SocketIO, join_room

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="gevent" if mode == "gevent" else "threading",
                        cors_allowed_origins=[origin], ping_interval=10, ping_timeout=20)

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return {"ok": True}

    @app.post("/emit")
    def emit():  # type: ignore[no-untyped-def]
        event = request.get_json()
        event["at"] = event["sent_at"] = datetime.now(timezone.utc).isoformat()  # like Concord's push
        socketio.emit("timeline", event, to="room")
        return {"seq": event["seq"]}, 201

    @socketio.on("join")
    def join(_data=None):  # type: ignore[no-untyped-def]
        join_room("room")
        return {"ok": True, "last_seq": 0, "events": []}

    return app, socketio


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=["gthread", "werkzeug", "gevent"], default="gthread")
    p.add_argument("--threads", type=int, default=100)
    a = p.parse_args()
    if a.mode == "gevent":
        from gevent import monkey
        monkey.patch_all()
    app, socketio = make_app(a.mode, f"http://127.0.0.1:{a.port}")
    if a.mode == "werkzeug":
        socketio.run(app, host="127.0.0.1", port=a.port, allow_unsafe_werkzeug=True, log_output=False)
        return
    from gunicorn.app.base import BaseApplication

    class _G(BaseApplication):
        def load_config(self) -> None:
            opts = {"bind": f"127.0.0.1:{a.port}", "workers": 1, "loglevel": "warning", "timeout": 0,
                    "worker_class": "gevent" if a.mode == "gevent" else "gthread"}
            if a.mode == "gthread":
                opts["threads"] = a.threads
            else:
                opts["worker_connections"] = 2000
            for k, v in opts.items():
                self.cfg.set(k, v)

        def load(self):  # type: ignore[no-untyped-def]
            return app
    _G().run()


if __name__ == "__main__":
    main()
