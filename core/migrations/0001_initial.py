# NumberSequence moved from orders to core as code only: its table stays
# orders_numbersequence, so this migration changes the state, not the database.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("orders", "0005_order_status_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NumberSequence",
                    fields=[
                        ("name", models.CharField(max_length=64, primary_key=True, serialize=False)),
                        ("last_value", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "number sequence",
                        "verbose_name_plural": "number sequences",
                        "db_table": "orders_numbersequence",
                    },
                )
            ]
        )
    ]
