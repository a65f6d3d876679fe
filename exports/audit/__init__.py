"""Outside anchors for the audit chain: head hashes printed in PDFs, and signed checkpoints on disk."""
