"""Composition root: the `concord` command, migrations and the model registry."""
