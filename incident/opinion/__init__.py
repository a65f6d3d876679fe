"""Opinion watch (舆情监测, issue 14): watched posts and reviews, metric snapshots with screenshot
evidence, growth per interval, the alert rule, and each negative post's reply deadline."""
from incident.opinion import wording as _wording  # noqa: F401  (registers the event words)
