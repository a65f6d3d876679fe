"""Signing: the pyHanko organisation signer, certificates, verification, sealing use cases and batches."""
