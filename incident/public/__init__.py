"""The complainants' side (issue 15): lookup codes, the public stage and updates, self-registration,
the survey — and the projection, the only view of an incident the public ever gets."""
from incident.public import wording as _wording  # noqa: F401,E402  (registers the event words)
