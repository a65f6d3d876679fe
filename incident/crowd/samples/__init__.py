"""Verification samples: reproducible draws, their statistics, and the re-run that verifies a draw."""
