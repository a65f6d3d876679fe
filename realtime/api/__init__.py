"""The JSON API under /api/v1, one module per feature (a feature's page section may live beside it)."""
