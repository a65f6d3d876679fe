"""Closing an incident: the gate that must pass before it is resolved or closed, and what is kept."""
