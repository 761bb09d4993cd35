"""The business calendar for SLA clocks, with the default one: Monday to Friday 09:00–18:00,
the organisation's time zone, Spanish public holidays."""

import clientela.core.models
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def create_default_calendar(apps, schema_editor):
    BusinessCalendar = apps.get_model("core", "BusinessCalendar")
    if not BusinessCalendar.objects.filter(is_default=True).exists():
        BusinessCalendar.objects.create(
            name="Calendario general",
            time_zone=settings.TIME_ZONE,
            country="ES",
            hours={str(day): [["09:00", "18:00"]] for day in range(5)},
            is_default=True,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_audit_chain_head'),
    ]

    operations = [
        migrations.CreateModel(
            name='BusinessCalendar',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('lock_version', models.PositiveIntegerField(default=1, editable=False, help_text='Increases with every saved change; a stale version means someone else saved first.', verbose_name='edit version')),
                ('archived_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='archived at')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('time_zone', models.CharField(default='Europe/Madrid', help_text='For example Europe/Madrid.', max_length=64, verbose_name='time zone')),
                ('country', models.CharField(default='ES', help_text='ISO code, for example ES.', max_length=2, verbose_name='country for public holidays')),
                ('subdivision', models.CharField(blank=True, help_text='Optional: region code for regional holidays, for example MD (Madrid) or CT (Catalonia).', max_length=10, verbose_name='region for public holidays')),
                ('hours', models.JSONField(default=clientela.core.models.default_working_hours, help_text='Working intervals per weekday (0 is Monday).', verbose_name='working hours')),
                ('is_default', models.BooleanField(default=False, verbose_name='default calendar')),
            ],
            options={
                'verbose_name': 'business calendar',
                'verbose_name_plural': 'business calendars',
                'ordering': ['-is_default', 'name'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('is_default',), name='core_calendar_one_default')],
            },
        ),
        migrations.CreateModel(
            name='CalendarDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('name', models.CharField(max_length=100, verbose_name='description')),
                ('kind', models.CharField(choices=[('closed', 'Closed (company holiday)'), ('open', 'Working day despite a public holiday')], default='closed', max_length=10, verbose_name='kind')),
                ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='days', to='core.businesscalendar', verbose_name='calendar')),
            ],
            options={
                'verbose_name': 'company-specific day',
                'verbose_name_plural': 'company-specific days',
                'ordering': ['date'],
                'constraints': [models.UniqueConstraint(fields=('calendar', 'date'), name='core_calendar_day_once')],
            },
        ),
        migrations.RunPython(create_default_calendar, migrations.RunPython.noop),
    ]
