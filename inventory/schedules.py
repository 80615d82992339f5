"""The stock jobs django-q2 runs on a schedule. Created (or put back) by the
migration inventory/0005_stock_schedules; ``make worker`` runs them."""

from datetime import datetime, time, timedelta

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


def schedules_setup(Schedule) -> None:
    """Create or correct the schedules, by name; safe to run any number of times.
    ``Schedule`` is django_q's model (or its historical version in a migration)."""
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
