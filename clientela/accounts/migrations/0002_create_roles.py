"""The seven roles of SPEC §2, as Django groups named by their role code."""

from django.db import migrations

ROLES = ["admin", "management", "quality", "sales_manager", "account_manager", "customer_service", "operations"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for code in ROLES:
        Group.objects.get_or_create(name=code)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_roles, remove_roles)]
