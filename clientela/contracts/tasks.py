"""Background work of the contracts module (idempotent: safe to run again)."""

from django.tasks import task

from . import services


@task()
def send_contract_alerts() -> dict[str, int]:
    """Deliverables due within 7 days, overdue deliverables, contracts ending within 60 days."""
    return services.send_alerts()
