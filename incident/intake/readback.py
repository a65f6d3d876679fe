"""The read-back: the handler repeats the record and the complainant confirms it."""
from __future__ import annotations

from incident.i18n import Translator
from incident.labels import label


def readback_text(incident: "object", locale: str) -> str:
    """Generate the read-back from the stored record, in zh_CN or en."""
    _ = Translator(locale)
    inc = incident  # an Incident; typed loosely so drafts can be read back before saving
    parts = [_("Let me read back what we recorded:"),
             _("%(scope)s, %(headcount)s people, reported by %(channel)s.",
               scope=inc.scope_text, headcount=inc.headcount, channel=label(_, "channel", inc.channel)),
             _("Your demand, in your words: \"%(demand)s\".", demand=inc.core_demand)]
    if inc.demand_type:
        parts.append(_("Type of demand: %(type)s.", type=label(_, "demand_type", inc.demand_type)))
    if inc.place:
        parts.append(_("Place: %(place)s.", place=inc.place))
    if inc.circumstances:
        parts.append(_("Special circumstances: %(list)s.", list=_(", ").join(
            label(_, "circumstance", c) for c in inc.circumstances)))
    if inc.anonymous:
        parts.append(_("The complainant wishes to stay anonymous."))
    for c in inc.contacts:
        parts.append(_("Contact: %(name)s, %(phone)s (for official communication only).",
                       name=c.name, phone=c.phone_masked))
    parts.append(_("Is this correct?"))
    sep = "" if _.locale == "zh_CN" else " "
    return sep.join(parts)
