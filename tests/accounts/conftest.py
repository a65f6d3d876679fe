"""Account tests reuse the agreement fixtures (organisation certificate) for the sealing steps."""
from tests.exports.conftest import p12, seal_settings, sealer  # noqa: F401
