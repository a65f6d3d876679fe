"""The 1+3+N task group: seats, who holds them, the handoffs, formation, recording consent.

Public API: `service` (assign_seat, replace_seat, release_seat), `recording` (record_consent,
add_recording), `formation.formation_status`, `board.group_snapshot`.
"""
