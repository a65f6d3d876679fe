"""Concord's web layer: Flask app, HTTP API, pages and Socket.IO. Thin: parse, call a service, map."""
