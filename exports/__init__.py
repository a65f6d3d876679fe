"""Settlement agreements: terms, templates, PDF rendering, signatures, organisation seal, verification."""
