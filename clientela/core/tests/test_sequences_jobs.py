import datetime as dt

import pytest
from django.utils import timezone

from clientela.core import jobs, sequences
from clientela.core.models import ScheduledJob

pytestmark = pytest.mark.django_db


def test_sequences_count_per_key():
    assert [sequences.next_value("a") for _ in range(3)] == [1, 2, 3]
    assert sequences.next_value("b") == 1
    sequences.ensure_at_least("a", 10)
    assert sequences.next_value("a") == 11


def test_a_due_job_is_claimed_once(monkeypatch):
    calls = []
    fake = type("T", (), {"enqueue": lambda self: calls.append(1), "call": lambda self: calls.append(1)})()
    monkeypatch.setattr(jobs, "PERIODIC", {"t": jobs.PeriodicJob("t", fake, dt.timedelta(minutes=5))})
    now = timezone.now()
    assert jobs.run_due_jobs(now) == ["t"]
    assert jobs.run_due_jobs(now) == []
    assert jobs.run_due_jobs(now + dt.timedelta(minutes=6)) == ["t"]
    assert len(calls) == 2
    assert ScheduledJob.objects.get(name="t").next_run_at > now


def test_daily_jobs_run_at_their_local_time():
    job = jobs.PeriodicJob("d", None, dt.timedelta(days=1), at=dt.time(7, 30))
    moment = timezone.make_aware(dt.datetime(2026, 3, 10, 9, 0))
    nxt = timezone.localtime(job.next_after(moment))
    assert (nxt.day, nxt.hour, nxt.minute) == (11, 7, 30)
