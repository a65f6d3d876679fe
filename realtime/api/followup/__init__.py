"""What follows an incident's changes on the web (issue 12): the intake edit with its re-triage preview,
proposed playbooks, and the group robots (WeChat Work, DingTalk) that tell the team."""
