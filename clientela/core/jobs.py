"""Periodic jobs: each module registers idempotent tasks with how often they run; the scheduler
enqueues them on time (claiming each run with one conditional UPDATE, so any number of
schedulers can run side by side), and the task workers execute them."""

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError
from django.tasks import Task
from django.utils import timezone

from .models import ScheduledJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task
    every: dt.timedelta
    at: dt.time | None = None  # for daily jobs: local time of day

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        if self.at is None:
            return moment + self.every
        local = timezone.localtime(moment)
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        while candidate <= local:
            candidate += self.every
        return candidate


PERIODIC: dict[str, PeriodicJob] = {}


def register_periodic(name: str, task: Task, *, every: dt.timedelta, at: dt.time | None = None) -> None:
    PERIODIC[name] = PeriodicJob(name=name, task=task, every=every, at=at)


def run_due_jobs(now: dt.datetime | None = None, *, inline: bool = False) -> list[str]:
    """Enqueue (or with `inline`, run here) every job that is due; return their names."""
    now = now or timezone.now()
    ran: list[str] = []
    for job in PERIODIC.values():
        with contextlib.suppress(IntegrityError):  # another scheduler created it first
            ScheduledJob.objects.get_or_create(
                name=job.name, defaults={"next_run_at": job.next_after(now) if job.at else now}
            )
        claimed = ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=job.next_after(now), last_enqueued_at=now
        )
        if not claimed:
            continue
        ran.append(job.name)
        if inline:
            job.task.call()
        else:
            job.task.enqueue()
        log.info("periodic job %s %s", job.name, "ran" if inline else "enqueued")
    return ran


# Core's own periodic jobs.
def _register_core_jobs() -> None:
    from . import tasks

    register_periodic(
        "core.notification_digests", tasks.send_notification_digests, every=dt.timedelta(days=1), at=dt.time(7, 30)
    )


_register_core_jobs()
