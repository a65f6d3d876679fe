"""The 1+3+N task group: seats, who holds them, and the handoffs."""
