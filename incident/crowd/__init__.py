"""The crowd: claimants, representatives, verification samples and the split demand."""
