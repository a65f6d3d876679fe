"""Settlement and closing over HTTP (issue 13): the ledger, the closing gate, the archive and the dossier."""
