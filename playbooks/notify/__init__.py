"""Notifications: the per-user inbox with live toasts, and the outbound webhook / e-mail outbox."""
