"""The ledger's documents and its view of agreements: the 收条 receipt, the reconciliation sheet, the
case dossier (案卷), and what the agreements tell the ledger and the closing gate (registered on import)."""
from exports.ledger import stages as _stages  # noqa: F401,E402  (registers the agreement stage and gate)
