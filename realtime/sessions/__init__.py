"""Sessions end everywhere: the sockets of ended sessions, in every server process (control.py)."""
