"""Scheduled work of the indicators module (idempotent: running it twice changes nothing)."""

from django.core.exceptions import ValidationError
from django.tasks import task
from django.utils import timezone

from . import selectors, services


@task()
def close_last_quarter() -> int:
    """Close the quarter that has just ended (once) and request the plans its results below target
    require; a request that failed earlier is retried. Returns how many results were recorded."""
    today = timezone.localdate()
    period = services.last_closed_quarter(today)
    try:
        results = services.period_close(period=period, today=today)
    except ValidationError:
        # Another worker closed the same quarter at the same moment: its records stand.
        results = services.period_close(period=period, today=today)
    for result in selectors.results_needing_plan():
        services.request_plan_safely(result)
    return len(results)
