"""The settlement ledger: per claimant, what was agreed (accepted demand items with money), paid or waived."""
