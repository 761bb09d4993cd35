"""Demo data: each module's demo.py has `load(ctx)`; modules run in INSTALLED_APPS order and share
the context (users, customers…). Loading is done once per database and is deterministic for a seed."""

import datetime as dt
import random
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SiteSetting

MARKER = "demo_loaded"


@dataclass
class DemoContext:
    rng: random.Random
    now: dt.datetime
    password: str
    users: dict[str, Any] = field(default_factory=dict)  # role code → user (first of the role)
    staff: dict[str, list[Any]] = field(default_factory=dict)  # role code → users
    shared: dict[str, Any] = field(default_factory=dict)  # what one module leaves for the next
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role label, password)

    def days_ago(self, days: float, hour: int | None = None) -> dt.datetime:
        moment = self.now - dt.timedelta(days=days)
        if hour is not None:
            local = timezone.localtime(moment)
            moment = local.replace(hour=hour, minute=self.rng.randint(0, 59), second=0, microsecond=0)
        return moment

    def working_time(self, days_ago: float) -> dt.datetime:
        """A plausible office-hours moment about `days_ago` days back (weekends moved to Friday)."""
        local = timezone.localtime(self.now - dt.timedelta(days=days_ago))
        while local.weekday() >= 5:
            local -= dt.timedelta(days=1)
        return local.replace(
            hour=self.rng.randint(9, 17),
            minute=self.rng.choice([0, 10, 15, 20, 30, 40, 45, 50]),
            second=0,
            microsecond=0,
        )


def is_loaded() -> bool:
    return SiteSetting.objects.filter(key=MARKER).exists()


def demo_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("clientela."):
            continue
        name = f"{config.name}.demo"
        if config.name != "clientela.core" and find_spec(name) is not None:
            modules.append(import_module(name))
    return modules


def load(*, password: str, seed: int | None = None, now: dt.datetime | None = None) -> DemoContext:
    ctx = DemoContext(
        rng=random.Random(seed if seed is not None else settings.CLIENTELA_DEMO_SEED),
        now=now or timezone.now(),
        password=password,
    )
    with transaction.atomic():
        for module in demo_modules():
            module.load(ctx)
        SiteSetting.objects.update_or_create(key=MARKER, defaults={"value": {"at": ctx.now.isoformat()}})
    return ctx
