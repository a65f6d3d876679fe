"""Reports built from an incident's record."""
