"""The board's read models: the commanding strip on top of an incident, and the incident queue."""
