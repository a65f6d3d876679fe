"""Representatives: election, signed mandates, replacement, revocation, and whom each one covers."""
