"""Import every model module so that Base.metadata is complete (migrations, tests)."""
# -- agreements (issue 6)
from exports.agreements import models as _agreements  # noqa: F401,E402
from incident import attachments as _attachments  # noqa: F401
from incident import models as _incident  # noqa: F401
from incident.accounts import models as _accounts  # noqa: F401

# -- task group (issue 3)
# -- realtime (issue 3)
# -- crowd (issue 4)
from incident.crowd.claimants import models as _claimants  # noqa: F401,E402

# -- demands and samples (issue 4)
from incident.crowd.demands import models as _demands  # noqa: F401,E402
from incident.crowd.representatives import models as _representatives  # noqa: F401,E402
from incident.crowd.samples import models as _samples  # noqa: F401,E402
from incident.db import Base  # noqa: E402
from incident.taskgroup import models as _taskgroup  # noqa: F401
from incident.timeline import models as _timeline  # noqa: F401
from incident.triage import store as _lexicon  # noqa: F401

# -- playbooks (issue 5)
from playbooks import models as _playbooks  # noqa: F401,E402
from playbooks.notify import models as _notify  # noqa: F401,E402

# -- security log (issue 10)
from incident.security import models as _security  # noqa: F401,E402

# -- intake follow-up and notification channels (issue 12)
from playbooks.proposals import models as _proposals  # noqa: F401,E402
# -- public side (issue 15)
from incident.public import models as _public  # noqa: F401,E402
# -- callbacks and the written reply (issue 13)
from incident.callbacks import gate as _callback_gate  # noqa: F401,E402  (the closing gate's condition)
from incident.callbacks import models as _callbacks  # noqa: F401,E402
from exports.replies import models as _replies  # noqa: F401,E402
from exports.replies import moments as _reply_moments  # noqa: F401,E402  (the agreements' moment)
from incident.public import callback_feed as _survey_feed  # noqa: F401,E402  (survey answers → callbacks)

metadata = Base.metadata

# -- ledger, closing gate and archive (issue 13)
from incident.closing import models as _closing  # noqa: F401,E402
from incident.ledger import models as _ledger  # noqa: F401,E402
# the agreements' part of the ledger and of the closing gate registers itself (composition root)
from exports.ledger import stages as _ledger_stages  # noqa: F401,E402
# -- opinion watch (issue 14)
from incident.opinion import models as _opinion  # noqa: F401,E402
# -- the incident report (issue 14): satisfaction and money paid on its first page, the funnel's paid stage
from exports.reports import followup as _report_followup  # noqa: F401,E402
