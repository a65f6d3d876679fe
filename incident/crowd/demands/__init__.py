"""The split demand: items per claimant, the offer ladder, legal's ceilings, and the group view."""
