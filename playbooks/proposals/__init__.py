"""Playbooks proposed mid-incident: when re-triage makes a playbook's trigger match, the leader decides."""
