"""The scheduled stock jobs (allocation every minute, replenishment nightly),
created idempotently: running migrate again changes nothing."""

from django.db import migrations


def create_schedules(apps, schema_editor):
    from inventory.schedules import schedules_setup

    schedules_setup(apps.get_model("django_q", "Schedule"))


def remove_schedules(apps, schema_editor):
    from inventory.schedules import SCHEDULES

    apps.get_model("django_q", "Schedule").objects.filter(name__in=[name for name, *_rest in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_counts_purchasing_replenishment"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
