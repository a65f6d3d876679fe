"""Settlement agreements: canonical terms, clauses, templates, what they are drafted from, and legal review."""
