"""Documents on the web: agreements (drafting, review, signing, sealing, verification), their batches and
the batch review, and the exports (the case workbook, its tables, the charts)."""
