"""Legal review of many agreements at once (issue 11): the batch review screen's use cases."""
