"""Customer-service training and competence."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "clientela.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from clientela.core import registry as r
        from clientela.core.jobs import register_periodic

        from . import selectors, tasks
        from .models import (
            Attendance,
            Competence,
            CompetenceEvaluation,
            Course,
            RoleRequirement,
            TrainingNeed,
            TrainingSession,
        )

        r.register_nav(r.NavEntry("development", _("Training sessions"), "training:sessions", "training.view", 50))
        r.register_nav(r.NavEntry("development", _("Courses"), "training:courses", "training.view", 60))
        r.register_nav(r.NavEntry("development", _("Competence matrix"), "training:matrix", "training.view", 70))
        r.register_nav(r.NavEntry("development", _("Training needs"), "training:needs", "training.view", 80))
        r.register_nav(r.NavEntry("development", _("My training"), "training:me", "training.view_own", 90))
        for model in (
            Competence,
            RoleRequirement,
            Course,
            TrainingSession,
            Attendance,
            CompetenceEvaluation,
            TrainingNeed,
        ):
            r.register_audited(model, "training.view")
        r.register_home_widget(
            r.HomeWidget(
                "training_expiring", "training.manage", "training/_home_expiring.html", selectors.home_expiring, 80
            )
        )
        r.register_home_widget(
            r.HomeWidget(
                "my_training", "training.view_own", "training/_home_my_training.html", selectors.home_my_training, 90
            )
        )
        register_periodic(
            "training.competence_expiry", tasks.check_competence_expiry, every=dt.timedelta(days=1), at=dt.time(7, 0)
        )
