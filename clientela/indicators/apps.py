"""CCT and SC indicators, targets, management review, risks and opportunities."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "clientela.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.jobs import register_periodic

        from . import builtin, review_pack, selectors, tasks
        from .models import (
            ControlledDocument,
            DocumentVersion,
            IndicatorResult,
            IndicatorTarget,
            ManagementReview,
            ReviewDecision,
            RiskOpportunity,
        )

        r.register_nav(r.NavEntry("monitoring", _("Indicators"), "indicators:dashboard", "indicators.view", 10))
        r.register_nav(r.NavEntry("monitoring", _("Management review"), "indicators:reviews", "reviews.view", 20))
        r.register_nav(r.NavEntry("monitoring", _("Risks and opportunities"), "indicators:risks", "risks.view", 30))
        r.register_nav(r.NavEntry("monitoring", _("Documents"), "indicators:documents", "documents.view", 40))
        r.register_audited(IndicatorTarget, "indicators.view")
        r.register_audited(IndicatorResult, "indicators.view")
        r.register_audited(ManagementReview, "reviews.view")
        r.register_audited(ReviewDecision, "reviews.view")
        r.register_audited(RiskOpportunity, "risks.view")
        r.register_audited(ControlledDocument, "documents.view")
        r.register_audited(DocumentVersion, "documents.view")
        r.register_search(r.SearchProvider("risks", "risks.view", selectors.search_risks))
        r.register_search(r.SearchProvider("documents", "documents.view", selectors.search_documents))
        r.register_home_widget(
            r.HomeWidget(
                "process_indicators",
                "indicators.view",
                "indicators/_home_widget.html",
                selectors.home_process_indicators,
                20,
            )
        )
        builtin.register_builtin()
        review_pack.register_builtin()
        # The modules' figures, plans, review sections and risk signals (CCT and SC among them).
        from . import sources

        sources.register_all()
        register_periodic(
            "indicators.close_last_quarter", tasks.close_last_quarter, every=dt.timedelta(days=1), at=dt.time(6, 0)
        )
