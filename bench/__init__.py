"""Benchmarks: `python -m bench --out FILE [--only NAME] [--quick]` (see docs/realtime.md)."""
