"""The SLA each ticket kind starts with; a supervisor edits them in the admin."""

from django.db import migrations

# Copied, not imported: a migration keeps the values it was written with.
DEFAULT_SLA_HOURS = {"return": 168, "exchange": 168, "refund_only": 48, "reship": 48}


def create_default_slas(apps, schema_editor):
    TicketSLA = apps.get_model("aftersales", "TicketSLA")
    for kind, hours in DEFAULT_SLA_HOURS.items():
        TicketSLA.objects.get_or_create(kind=kind, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0003_ticket_workflow_sla_owner")]

    operations = [migrations.RunPython(create_default_slas, migrations.RunPython.noop)]
