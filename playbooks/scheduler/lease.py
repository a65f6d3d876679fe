"""A database lease so that, of several scheduler processes, one works and the others stand by."""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from incident import clock
from incident.db import unit_of_work
from playbooks.models import SchedulerLease

NAME = "scheduler"


def hold(factory: Callable[[], Session], holder: str, ttl: float, name: str = NAME) -> bool:
    """Take or renew the lease; True while *holder* owns it. Expired leases are taken over."""
    now = clock.now()
    try:
        with unit_of_work(factory) as s:
            res = s.execute(update(SchedulerLease).where(
                SchedulerLease.name == name,
                or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
                .values(holder=holder, expires_at=now + timedelta(seconds=ttl)))
            if res.rowcount == 1:
                return True
            if s.get(SchedulerLease, name) is not None:
                return False
            s.add(SchedulerLease(name=name, holder=holder, expires_at=now + timedelta(seconds=ttl)))
        return True
    except IntegrityError:  # another process inserted the row first
        return False


def release(factory: Callable[[], Session], holder: str, name: str = NAME) -> None:
    """Give the lease up at a clean shutdown so a standby takes over at once."""
    with unit_of_work(factory) as s:
        s.execute(update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
                  .values(expires_at=clock.now() - timedelta(seconds=1)))
