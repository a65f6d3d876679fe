"""Users, organisation roles, login sessions and throttling."""
