"""Who acts and what they may do: the acting user (or the system) and the permission matrix."""
