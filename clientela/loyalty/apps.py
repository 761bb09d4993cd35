"""Loyalty programmes, points ledger and retention."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "clientela.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.jobs import register_periodic

        from . import receivers, selectors, tasks  # noqa: F401  (receivers connect on import)
        from .models import EarningRule, LoyaltyProgramme, Membership, PointsEntry, Redemption, Referral, Reward, Tier

        r.register_nav(r.NavEntry("development", _("Loyalty programmes"), "loyalty:programmes", "loyalty.view", 10))
        r.register_nav(r.NavEntry("development", _("Members"), "loyalty:memberships", "loyalty.view", 20))
        r.register_nav(r.NavEntry("development", _("Redemptions"), "loyalty:redemptions", "loyalty.view", 30))
        r.register_nav(r.NavEntry("development", _("Retention"), "loyalty:retention", "loyalty.view", 40))
        for model in (LoyaltyProgramme, Tier, EarningRule, Reward, Membership, Redemption, Referral):
            r.register_audited(model, "loyalty.view")
        r.register_audited(PointsEntry, "loyalty.view")
        r.register_timeline_source(
            r.TimelineSourceSpec("loyalty", _("Loyalty points"), "loyalty.view", selectors.points_timeline)
        )
        r.register_headline_figures("loyalty.view", selectors.customer_figures)
        r.register_customer_panel(
            r.CustomerPanel(
                "loyalty", _("Loyalty"), "loyalty.view", "loyalty/_customer_panel.html", selectors.customer_panel, 60
            )
        )
        r.register_home_widget(
            r.HomeWidget(
                "loyalty_redemptions", "loyalty.manage", "loyalty/_home_widget.html", selectors.home_redemptions, 70
            )
        )
        register_periodic("loyalty.expire_points", tasks.expire_points, every=dt.timedelta(days=1), at=dt.time(2, 30))
        register_periodic(
            "loyalty.enrol_and_reward", tasks.enrol_and_reward, every=dt.timedelta(days=1), at=dt.time(3, 0)
        )
        # Retention shows the contract renewal rate: contracts that ended in the period and were renewed.
        from clientela.contracts.selectors import renewal_rate

        selectors.register_contract_renewal_rate(renewal_rate)
