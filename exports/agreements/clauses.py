"""Default wording of the clauses, as English msgids translated by the catalogs (legal edits copies)."""
from __future__ import annotations

from incident.i18n import Translator

DEFAULT_CLAUSES = {
    "non_admission": "The payment under this agreement is goodwill compensation made to settle the matter "
                     "amicably. It is not an admission by Party A of any fault, liability or breach and may "
                     "not be used as evidence of one.",
    "indemnity": "Party A pays the indemnity stated above for the loss described in the facts. It covers "
                 "the whole of that loss; Party B makes no further claim for it.",
    "performance": "Party A performs each agreed item by its deadline. If an item is late, Party B may ask "
                   "Party A in writing to perform it within 7 days.",
    "withdrawal": "Within 3 days after the agreed items are performed, Party B withdraws every complaint "
                  "about this matter filed with any authority or platform, and makes no further complaint, "
                  "report or claim about it.",
    "confidentiality": "Both parties keep the content of this agreement confidential and do not disclose it "
                       "to third parties, the media or the internet, except where the law requires.",
    "dispute_resolution": "Disputes about this agreement are settled by negotiation; failing that, either "
                          "party may bring the dispute before the people's court of the place where Party A "
                          "is located.",
}
DEFAULT_FACTS = "Party B is a complainant in incident %(ref)s: %(demand)s. After negotiation the parties " \
                "agree as follows."


def default_clauses(locale: str) -> dict[str, str]:
    """The default clauses in *locale*."""
    _ = Translator(locale)
    return {k: _(v) for k, v in DEFAULT_CLAUSES.items()}
