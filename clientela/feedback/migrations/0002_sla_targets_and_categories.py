"""The SLA targets of SPEC §3.3 and a first list of complaint categories, both editable later."""

from decimal import Decimal

from django.db import migrations

TARGETS = {"critical": (2, 9), "high": (4, 27), "medium": (8, 45), "low": (16, 90)}
CATEGORIES = [
    "Calidad del producto o servicio",
    "Plazo de entrega",
    "Incumplimiento de requisitos",
    "Facturación y cobros",
    "Atención recibida",
    "Documentación y certificados",
    "Servicio técnico y postventa",
    "Comunicación",
    "Otros",
]


def seed(apps, schema_editor):
    SlaTarget = apps.get_model("feedback", "SlaTarget")
    Category = apps.get_model("feedback", "Category")
    for severity, (acknowledge, resolve) in TARGETS.items():
        SlaTarget.objects.get_or_create(
            severity=severity, defaults={"acknowledge_hours": Decimal(acknowledge), "resolve_hours": Decimal(resolve)}
        )
    for position, name in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
