"""Notification texts: English msgids (translated per recipient at display time) and their rendering."""
from __future__ import annotations

from typing import Any

from incident import i18n


def _(message: str) -> str:
    """Mark a msgid for extraction; translated later in the recipient's locale."""
    return message


OVERDUE = _("Overdue: %(step)s (%(ref)s)")
LEADER_OVERDUE = _("A step of your incident is overdue: %(step)s (%(ref)s)")
REMINDER = _("Due in %(minutes)s minutes: %(step)s (%(ref)s)")
FORMATION_MISSED = _("The task group of %(ref)s was not formed within the deadline")
FORMATION_REMINDER = _("Form the task group of %(ref)s: due in %(minutes)s minutes")
ESCALATED = _("%(ref)s was raised to grade %(grade)s because a step is overdue: %(step)s")
MAIL_SUBJECT = _("[Concord] %(text)s")
# -- intake follow-up (issue 12)
GRADE_CHANGED = _("%(ref)s is now grade %(grade)s (was %(before)s)")
PROPOSED = _("Proposed for %(ref)s: the playbook %(playbook)s now matches; attach it with one tap")


def render(message: str, params: dict[str, Any], locale: str) -> str:
    """Translate a msgid; parameters given as {zh_CN, en} texts are picked in the same locale."""
    loc = i18n.normalize_locale(locale)
    values = {k: (v.get(loc) or v.get("zh_CN") or v.get("en") or "") if isinstance(v, dict) else v
              for k, v in params.items()}
    try:
        return i18n.gettext(loc, message, **values)
    except (KeyError, ValueError, TypeError):
        return i18n.gettext(loc, message)
