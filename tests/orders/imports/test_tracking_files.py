"""A file of (order, carrier, tracking number) ships those orders."""

from inventory.models import MovementKind, StockMovement
from orders.models import ImportKind, Order, OrderEventType, OrderStatus
from tests.factories import ChannelFactory
from tests.flow import snapshot

from . import platform_files as pf


def test_packed_orders_are_shipped_by_our_number_or_the_platform_id(order_in_status, run_import, warehouse_user):
    by_number = order_in_status(OrderStatus.PACKED)
    by_platform_id = order_in_status(OrderStatus.PACKED, platform_order_id="TB-555")
    data = pf.tracking_csv([(by_number.number, "顺丰速运", "SF1001"), ("TB-555", "中通快递", "ZT2002")])

    batch = run_import(None, ("运单.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user)

    assert (batch.updated_count, batch.rejected_rows) == (2, 0)
    first, second = Order.objects.get(pk=by_number.pk), Order.objects.get(pk=by_platform_id.pk)
    assert (first.status, first.carrier, first.tracking_number) == (OrderStatus.SHIPPED, "顺丰速运", "SF1001")
    assert (second.status, second.tracking_number) == (OrderStatus.SHIPPED, "ZT2002")
    assert StockMovement.objects.filter(order=first, kind=MovementKind.SHIP).exists()  # our warehouse shipped it
    shipped = first.events.get(type=OrderEventType.SHIPPED)
    assert (shipped.actor, shipped.parameters["batch"]) == (warehouse_user, batch.pk)


def test_english_headers_work_too(order_in_status, run_import, warehouse_user):
    order = order_in_status(OrderStatus.PACKED)
    data = pf.tracking_csv([(order.number.lower(), "SF Express", "SF7")], header=("Order", "Carrier", "Tracking number"), encoding="utf-8")

    run_import(None, ("tracking.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_rows_that_cannot_ship_are_reported_and_change_nothing(order_in_status, run_import, warehouse_user):
    approved = order_in_status(OrderStatus.APPROVED)
    packed = order_in_status(OrderStatus.PACKED)
    before = snapshot(approved.pk)
    data = pf.tracking_csv(
        [(approved.number, "顺丰速运", "SF1"), ("SO000000000000", "顺丰速运", "SF2"), (packed.number, "顺丰速运", ""), (packed.number, "顺丰速运", "SF3")]
    )

    batch = run_import(None, ("t.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user)

    assert batch.updated_count == 1
    reasons = dict(batch.rejections.values_list("line", "reason"))
    assert "only packed orders" in reasons[2]
    assert "No order" in reasons[3]
    assert "empty" in reasons[4]
    assert snapshot(approved.pk)["order"] == before["order"]


def test_the_same_tracking_file_twice_changes_nothing_the_second_time(order_in_status, run_import, warehouse_user):
    order = order_in_status(OrderStatus.PACKED)
    data = pf.tracking_csv([(order.number, "顺丰速运", "SF1001")])
    run_import(None, ("t.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user)
    before = snapshot(order.pk)

    again = run_import(None, ("t.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user)

    assert (again.updated_count, again.unchanged_count) == (0, 1)
    assert snapshot(order.pk) == before


def test_a_corrected_tracking_number_replaces_the_old_one(order_in_status, run_import, warehouse_user):
    order = order_in_status(OrderStatus.SHIPPED)

    run_import(None, ("t.csv", pf.tracking_csv([(order.number, "中通快递", "ZT999")])), kind=ImportKind.TRACKING, actor=warehouse_user)

    order = Order.objects.get(pk=order.pk)
    assert (order.carrier, order.tracking_number) == ("中通快递", "ZT999")
    assert order.events.filter(type=OrderEventType.DETAILS_CHANGED).exists()


def test_a_platform_id_of_two_channels_is_refused_unless_the_channel_is_chosen(order_in_status, run_import, warehouse_user, channel):
    first = order_in_status(OrderStatus.PACKED, platform_order_id="P-1")
    other_channel = ChannelFactory(code="jd-pop")
    from orders import services
    from orders.services import LineInput

    second = services.order_create(
        actor=None, channel=other_channel, platform_order_id="P-1", lines=[LineInput(title="x", quantity=1)], placed_at=first.placed_at
    )
    data = pf.tracking_csv([("P-1", "顺丰速运", "SF5")])

    batch = run_import(None, ("t.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user)
    assert "several channels" in batch.rejections.get().reason

    run_import(channel, ("t.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user)
    assert Order.objects.get(pk=first.pk).status == OrderStatus.SHIPPED
    assert Order.objects.get(pk=second.pk).status == OrderStatus.PENDING_PAYMENT


def test_a_tracking_number_or_carrier_too_long_for_its_column_is_rejected_in_preview_and_import(
    order_in_status, run_import, warehouse_user
):
    too_long, long_carrier, fine = (order_in_status(OrderStatus.PACKED) for _ in range(3))
    data = pf.tracking_csv(
        [(too_long.number, "顺丰速运", "SF" + "1" * 80), (long_carrier.number, "快" * 70, "SF2"), (fine.number, "顺丰速运", "SF3")]
    )

    preview = run_import(None, ("t.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user, preview=True)
    batch = run_import(None, ("t.csv", data), kind=ImportKind.TRACKING, actor=warehouse_user)

    assert (preview.updated_count, preview.rejected_rows) == (1, 2)
    assert (batch.updated_count, batch.rejected_rows) == (1, 2), batch.error
    reasons = dict(batch.rejections.values_list("line", "reason"))
    assert "tracking number" in reasons[2] and "64" in reasons[2]
    assert "carrier" in reasons[3]
    assert Order.objects.get(pk=too_long.pk).status == OrderStatus.PACKED
    assert Order.objects.get(pk=fine.pk).status == OrderStatus.SHIPPED
