"""The written reply (书面答复) to a group: drafted from the incident, approved, issued as a PDF."""
from exports.replies import wording as _wording  # noqa: F401  (registers the event words)
