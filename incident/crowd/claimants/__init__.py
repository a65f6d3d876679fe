"""Claimants: the registry (add, edit, withdraw), bulk import from files, and the recorded reveal of contacts."""
