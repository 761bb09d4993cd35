"""The demo tells the story of the monitoring area, with records the engine itself produced."""

import pytest
from django.utils import timezone

from clientela.core import audit, demo
from clientela.core.periods import Period
from clientela.feedback import selectors as feedback_selectors
from clientela.feedback.models import Feedback
from clientela.indicators import selectors, services
from clientela.indicators.models import ApprovedReviewPdf, IndicatorResult, ManagementReview, RiskOpportunity

pytestmark = pytest.mark.django_db


def test_the_demo_story_is_consistent_with_the_engine():
    demo.load(password="demo password 1", seed=7)
    today = timezone.localdate()
    closed = Period.current_quarter(today).previous().last(6)
    results = IndicatorResult.objects.filter(indicator="late_interactions")
    assert sorted(results.values_list("period", flat=True)) == [q.label for q in closed]
    below = results.filter(status="below_target")
    assert list(below.values_list("period", flat=True)) == [closed[-1].label]
    assert below.get().plan_requested_at is not None
    assert list(selectors.results_awaiting_analysis()) == [below.get()]
    # Recomputing from the records changes nothing: the demo stored what the engine computes.
    before = {(r.period, r.value, r.numerator, r.denominator, r.status) for r in results}
    services.period_close(period=closed[-1], today=today, recompute=True)
    after = {(r.period, r.value, r.numerator, r.denominator, r.status) for r in results.all()}
    assert after == before
    approved = ManagementReview.objects.get(status="approved")
    assert approved.period == closed[-1].label and ApprovedReviewPdf.objects.filter(review=approved).exists()
    assert approved.decisions.count() == 3
    assert ManagementReview.objects.get(status="draft").period == Period.current_quarter(today).label
    assert not RiskOpportunity.objects.filter(likelihood__isnull=True).exists()
    assert RiskOpportunity.objects.filter(review_date__lt=today).count() == 1
    # The complaints' step logs show when each step happened, not when the demo was loaded.
    closed_complaint = Feedback.objects.filter(kind="complaint", status="closed").order_by("received_at").first()
    steps = feedback_selectors.step_log(closed_complaint)
    assert steps[0].at == closed_complaint.received_at and steps[-1].at == closed_complaint.closed_at
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    assert audit.verify_chain().ok
