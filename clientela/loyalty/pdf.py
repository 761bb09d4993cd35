"""The member statement as PDF (WeasyPrint renders an HTML template; it runs no JavaScript)."""

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from clientela.core import pdf

from . import selectors
from .models import Membership


def statement_pdf(*, membership: Membership, start: dt.date, end: dt.date) -> bytes:
    """Opening balance, every movement between `start` and `end` (both days included) with the
    running balance, the closing balance, the tier and the points about to expire."""
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    opening, rows, closing = selectors.statement(membership, start=start_at, end=end_at)
    expiring = selectors.expiring_points(membership, within_days=90)
    context = {
        "membership": membership,
        "customer": membership.customer,
        "programme": membership.programme,
        "start": start,
        "end": end,
        "opening": opening,
        "rows": rows,
        "closing": closing,
        "balance": membership.balance,
        "expiring": expiring,
        "expiring_total": sum(e.points for e in expiring),
        "generated_at": timezone.now(),
    }
    html = render_to_string("loyalty/statement_pdf.html", context)
    css = render_to_string("loyalty/statement_pdf.css")
    return pdf.write_pdf(html, base_url=str(settings.BASE_DIR), stylesheets=[css])
