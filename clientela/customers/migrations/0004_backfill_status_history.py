"""Every existing customer starts its status history with its current status, from when it was created."""

from django.db import migrations


def backfill(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    StatusChange = apps.get_model("customers", "StatusChange")
    rows = [
        StatusChange(customer_id=pk, status=status, at=created_at)
        for pk, status, created_at in Customer.objects.values_list("pk", "status", "created_at").iterator(chunk_size=5000)
    ]
    StatusChange.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_customer_status_history")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
