"""The scheduled stock jobs (allocation every minute, replenishment nightly),
created idempotently: running migrate again changes nothing.

The jobs are written out here as they were when this migration was made (their
tasks have since moved to orders.tasks: orders/0007_schedules_run_orders_tasks
points the schedules there), so that a fresh database replays the same history."""

from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone

NIGHTLY_AT = time(2, 30)  # the seller's time zone: after the day's orders, before the warehouse opens

# name, task, django_q schedule type ("I": every n minutes, "D": daily), minutes.
SCHEDULES = [
    ("Allocate approved orders", "inventory.tasks.allocate_approved_orders", "I", 1),
    ("Refresh replenishment suggestions", "inventory.tasks.refresh_replenishment", "D", None),
]


def _next_night(now) -> datetime:
    local = timezone.localtime(now)
    at = timezone.make_aware(datetime.combine(local.date(), NIGHTLY_AT))
    return at if at > now else at + timedelta(days=1)


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    now = timezone.now()
    for name, func, schedule_type, minutes in SCHEDULES:
        schedule, created = Schedule.objects.get_or_create(
            name=name,
            defaults={"func": func, "schedule_type": schedule_type, "minutes": minutes, "repeats": -1},
        )
        if created or (schedule.func, schedule.schedule_type, schedule.minutes) != (func, schedule_type, minutes):
            schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats = func, schedule_type, minutes, -1
            schedule.next_run = _next_night(now) if schedule_type == "D" else now
            schedule.save()


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=[name for name, *_rest in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_counts_purchasing_replenishment"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
