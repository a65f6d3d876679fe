"""Intake: the five musts, parsing and validation, and the read-back text."""
