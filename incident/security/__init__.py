"""The security log: refused requests, failed logins, socket refusals, reveals and downloads of
documents with full ID numbers — one table (the admin page lists it) and one JSON-lines file."""
