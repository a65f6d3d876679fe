"""Callbacks (回访): who is called back when, the attempts, the satisfaction answer, second rounds."""
from incident.callbacks import wording as _wording  # noqa: F401  (registers the event words)
