"""Triage: early warning, risk keywords, urgency × scope class, grade F→A. Pure functions."""
from incident.triage.grading import AUTHORITY, Policy, TriageInput, TriageResult, triage
from incident.triage.lexicon import Term, find_hits, normalize

__all__ = ["triage", "TriageInput", "TriageResult", "Policy", "AUTHORITY", "Term", "find_hits",
           "normalize"]
