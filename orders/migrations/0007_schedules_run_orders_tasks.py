"""The scheduled allocation and replenishment jobs moved from inventory.tasks
to orders.tasks (issue 9: inventory knows nothing of orders): the schedules
made by inventory/0005_stock_schedules now run them from there."""

from django.db import migrations

MOVED = {
    "inventory.tasks.allocate_approved_orders": "orders.tasks.allocate_approved_orders",
    "inventory.tasks.refresh_replenishment": "orders.tasks.refresh_replenishment",
}


def _repoint(apps, moves: dict[str, str]) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in moves.items():
        Schedule.objects.filter(func=old).update(func=new)


def to_orders(apps, schema_editor):
    _repoint(apps, MOVED)


def back_to_inventory(apps, schema_editor):
    _repoint(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_numbersequence_to_core"),
        ("inventory", "0006_pick_waves"),
    ]

    operations = [migrations.RunPython(to_orders, back_to_inventory)]
