"""The demo's platform files import as the tour says."""

import io
from pathlib import Path

from django.core.management import call_command

from orders.models import ImportKind, Order, OrderStatus, Platform
from tests.factories import ChannelFactory, SKUAliasFactory


def test_the_demo_files_show_every_kind_of_outcome(skus, run_import, tmp_path, order_in_status):
    channel = ChannelFactory(code="tmall", name="天猫旗舰店", platform=Platform.TMALL)
    for number, sku in enumerate(skus):
        SKUAliasFactory(channel=channel, sku=sku, platform_sku_code=f"45000000000{number}")
    packed = order_in_status(OrderStatus.PACKED)
    out = io.StringIO()

    call_command("demo_order_files", "--out", str(tmp_path), stdout=out)

    orders_file, items_file, tracking_file = [line for line in out.getvalue().splitlines() if line]
    batch = run_import(channel, ("orders.csv", Path(orders_file).read_bytes()), ("items.csv", Path(items_file).read_bytes()))
    assert batch.created_count == 23 and batch.rejected_orders == 1
    assert batch.preview["unknown_sku_orders"] in (0, 1)  # on hold if its order is still open
    assert Order.objects.filter(channel=channel).count() == 23
    tracking = run_import(None, ("运单.csv", Path(tracking_file).read_bytes()), kind=ImportKind.TRACKING)
    assert tracking.updated_count == 1
    assert Order.objects.get(pk=packed.pk).status == OrderStatus.SHIPPED
