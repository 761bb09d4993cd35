"""Background work of the training module; idempotent and safe to run twice."""

from django.tasks import task

from . import services


@task()
def check_competence_expiry() -> int:
    """Daily: notify competences about to expire (or expired) and open the needs to renew them."""
    return services.competence_expiry_run()
