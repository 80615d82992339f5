# NumberSequence now belongs to core (code only): the table is kept as it is.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_order_status_index"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="NumberSequence")])
    ]
