"""What follows an incident's changes on the web: the intake edit with its re-triage preview, proposed
playbooks and the group robots (issue 12); the written reply and the callbacks (issue 13)."""
