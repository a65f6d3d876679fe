"""Concord domain core: incidents, intake, triage, task group and the timeline. No Flask here."""
