"""The quarters of the history that have ended, closed as the quarterly job closes them.

An organisation that has used Clientela for six quarters has each ended quarter's indicator
results on record (`indicators.tasks.close_last_quarter` runs after every quarter), with the
improvement plans its results below target asked for. This runs that service for every ended
quarter of the generated history, after all the data it measures is in place and indexed (a late generator).
"""

import datetime as dt

from bench.generators import Context, generator
from clientela.core.periods import Period
from clientela.indicators import services


@generator("indicators", requires=("action_plans", "contracts", "customers", "feedback", "surveys"), late=True)
def generate(ctx: Context) -> dict[str, int]:
    today = ctx.now.date()
    quarter = Period.current_quarter(ctx.start.date())
    closed = 0
    while not quarter.is_provisional(today):
        closed += len(services.period_close(period=quarter, today=today))
        quarter = Period.current_quarter(quarter.end + dt.timedelta(days=1))
    return {"indicators.IndicatorResult": closed}
