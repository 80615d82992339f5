"""(channel, platform order id) is the key: the same file again changes nothing;
a later export moves orders forward through the transition services."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from finance.models import Refund
from inventory.models import MovementKind, StockMovement
from orders import services
from orders.models import ImportStatus, Order, OrderEvent, OrderEventType, OrderStatus
from tests.flow import snapshot

from . import platform_files as pf


def taobao_pair(*orders, items=None):
    orders = list(orders)
    items = items if items is not None else [pf.taobao_item(order["订单编号"]) for order in orders]
    return ("ExportOrderList.csv", pf.taobao_orders(orders)), ("ExportOrderDetailList.csv", pf.taobao_items(items))


def whole_state():
    return {
        **snapshot(),
        "orders": list(Order.objects.order_by("pk").values()),
        "events": OrderEvent.objects.count(),
    }


def test_importing_the_same_files_again_changes_nothing(taobao_channel, skus, run_import):
    files = taobao_pair(
        pf.taobao_order(1),
        pf.taobao_order(2, 订单状态="卖家已发货，等待买家确认", 物流单号="SF100", 物流公司="顺丰速运"),
        pf.taobao_order(3, 订单状态="交易成功"),
        pf.taobao_order(4, 订单状态="等待买家付款", 买家实际支付金额="0"),
    )
    first = run_import(taobao_channel, *files)
    before = whole_state()

    again = run_import(taobao_channel, *files)

    assert (first.created_count, again.created_count, again.updated_count, again.unchanged_count) == (4, 0, 0, 4)
    assert whole_state() == before
    assert again.preview["same_file_as"] == first.pk


def test_a_later_export_applies_only_the_new_statuses_and_tracking_numbers(taobao_channel, skus, run_import, clerk):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1, 订单状态="等待买家付款", 买家实际支付金额="0"), pf.taobao_order(2)))
    unpaid, paid = Order.objects.get(platform_order_id="1"), Order.objects.get(platform_order_id="2")
    untouched = Order.objects.filter(pk=paid.pk).values().get()

    later = run_import(
        taobao_channel,
        ("later.csv", pf.taobao_orders([pf.taobao_order(1, 订单付款时间="2024-05-02 08:00:00"), pf.taobao_order(2)])),
    )

    assert (later.updated_count, later.unchanged_count, later.created_count) == (1, 1, 0)
    unpaid = Order.objects.get(pk=unpaid.pk)
    assert unpaid.status == OrderStatus.PAID
    assert unpaid.payments.get().amount == Decimal("109.00")
    event = unpaid.events.get(type=OrderEventType.PAID)
    assert event.actor == clerk  # done by the importing user
    assert event.parameters["batch"] == later.pk  # and names the batch
    assert Order.objects.filter(pk=paid.pk).values().get() == untouched


def test_an_order_first_seen_shipped_does_not_touch_our_stock(taobao_channel, skus, run_import, warehouse):
    stock_before = snapshot()["stock"]

    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1, 订单状态="交易成功", 物流单号="SF1", 物流公司="顺丰")))

    order = Order.objects.get(platform_order_id="1")
    assert order.status == OrderStatus.COMPLETED
    assert order.warehouse is None
    assert [event.type for event in order.events.all()] == [
        OrderEventType.CREATED,
        OrderEventType.PAID,
        OrderEventType.SHIPPED_OUTSIDE,
        OrderEventType.DELIVERED,
        OrderEventType.COMPLETED,
    ]
    assert snapshot()["stock"] == stock_before
    assert not StockMovement.objects.filter(order=order).exists()


def test_an_allocated_order_the_platform_reports_shipped_consumes_its_reservation(
    taobao_channel, skus, run_import, clerk, warehouse
):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1)))
    order = Order.objects.get(platform_order_id="1")
    services.order_approve(actor=clerk, order_id=order.pk)
    services.order_allocate(actor=clerk, order_id=order.pk)

    batch = run_import(
        taobao_channel,
        ("later.csv", pf.taobao_orders([pf.taobao_order(1, 订单状态="卖家已发货，等待买家确认", 物流单号="SF77", 物流公司="顺丰速运")])),
    )

    assert batch.updated_count == 1
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, "SF77")
    kinds = list(StockMovement.objects.filter(order=order).order_by("id").values_list("kind", "on_hand_delta", "reserved_delta"))
    assert kinds == [(MovementKind.RESERVE, 0, 2), (MovementKind.SHIP, -2, -2)]
    assert [event.type for event in order.events.filter(parameters__batch=batch.pk)] == [
        OrderEventType.PICKING_STARTED,
        OrderEventType.PACKED,
        OrderEventType.SHIPPED,
    ]


def test_a_paid_order_the_platform_closed_is_cancelled_and_its_refund_queued(taobao_channel, skus, run_import):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1)))

    run_import(taobao_channel, ("later.csv", pf.taobao_orders([pf.taobao_order(1, 订单状态="交易关闭", 订单关闭原因="买家申请退款")])))

    order = Order.objects.get(platform_order_id="1")
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "买家申请退款")
    assert Refund.objects.get(order=order).amount == Decimal("109.00")


def test_a_shipped_order_the_platform_says_closed_is_reported_not_changed(taobao_channel, skus, run_import):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1, 订单状态="卖家已发货，等待买家确认", 物流单号="SF1")))
    order = Order.objects.get(platform_order_id="1")
    before = snapshot(order.pk)

    batch = run_import(taobao_channel, ("later.csv", pf.taobao_orders([pf.taobao_order(1, 订单状态="交易关闭")])))

    (rejection,) = batch.rejections.all()
    assert "after-sales" in rejection.reason
    assert snapshot(order.pk) == before


def test_an_older_export_never_moves_an_order_back(taobao_channel, skus, run_import, clerk):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1)))
    order = Order.objects.get(platform_order_id="1")
    services.order_approve(actor=clerk, order_id=order.pk)
    before = snapshot(order.pk)

    batch = run_import(taobao_channel, ("old.csv", pf.taobao_orders([pf.taobao_order(1, 订单状态="等待买家付款")])))

    assert batch.unchanged_count == 1
    assert snapshot(order.pk) == before


def test_a_new_tracking_number_for_a_shipped_order_replaces_the_old_one(taobao_channel, skus, run_import):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1, 订单状态="卖家已发货，等待买家确认", 物流单号="SF1", 物流公司="顺丰")))

    batch = run_import(
        taobao_channel,
        ("later.csv", pf.taobao_orders([pf.taobao_order(1, 订单状态="卖家已发货，等待买家确认", 物流单号="ZT2", 物流公司="中通快递")])),
    )

    assert batch.updated_count == 1
    order = Order.objects.get(platform_order_id="1")
    assert (order.carrier, order.tracking_number) == ("中通快递", "ZT2")
    changed = order.events.get(type=OrderEventType.DETAILS_CHANGED)
    assert changed.parameters["changes"]["tracking_number"] == ["SF1", "ZT2"]


def test_a_refused_change_leaves_that_order_as_it_was_and_the_others_move_on(taobao_channel, skus, run_import, clerk, supervisor):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1), pf.taobao_order(2)))
    allocated = Order.objects.get(platform_order_id="1")
    services.order_approve(actor=clerk, order_id=allocated.pk)
    services.order_allocate(actor=clerk, order_id=allocated.pk)
    before = snapshot(allocated.pk)

    # The clerk may not cancel an order whose stock is reserved (a supervisor may).
    batch = run_import(
        taobao_channel, ("later.csv", pf.taobao_orders([pf.taobao_order(1, 订单状态="交易关闭"), pf.taobao_order(2, 订单状态="交易关闭")]))
    )

    assert batch.updated_count == 1
    (rejection,) = batch.rejections.all()
    assert rejection.platform_order_id == "1"
    assert "may not" in rejection.reason
    assert snapshot(allocated.pk)["order"] == before["order"]
    assert Order.objects.get(platform_order_id="2").status == OrderStatus.CANCELLED


def test_preview_writes_nothing_and_predicts_the_import(taobao_channel, skus, run_import):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1, 订单状态="等待买家付款", 买家实际支付金额="0")))
    before = whole_state()
    files = taobao_pair(pf.taobao_order(1), pf.taobao_order(2), pf.taobao_order(3, 订单状态="乱码"))

    preview = run_import(taobao_channel, *files, preview=True)

    assert preview.status == ImportStatus.PREVIEWED
    assert (preview.created_count, preview.updated_count, preview.rejected_orders) == (1, 1, 1)
    assert preview.preview["samples"]["changed"][0]["steps"] == ["mark_paid"]
    assert whole_state() == before


@pytest.mark.parametrize("status", ["卖家已发货，等待买家确认", "交易成功"])
def test_stock_figures_stay_put_for_any_historical_import(taobao_channel, skus, run_import, status):
    stock = snapshot()["stock"]

    run_import(taobao_channel, *taobao_pair(*[pf.taobao_order(n, 订单状态=status) for n in range(1, 6)]))

    assert snapshot()["stock"] == stock


def test_the_importing_users_role_decides_which_platform_facts_it_may_record(taobao_channel, skus, run_import):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    # May import, but not record payments (a role someone might configure).
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["import_orders", "view_importbatch"]))
    files = taobao_pair(pf.taobao_order(1, 订单状态="等待买家付款", 买家实际支付金额="0"), pf.taobao_order(2))

    batch = run_import(taobao_channel, *files, actor=user)

    assert list(Order.objects.values_list("platform_order_id", flat=True)) == ["1"]
    rejection = batch.rejections.get(platform_order_id="2", file_name="ExportOrderList.csv")
    assert "may not" in rejection.reason


def test_an_order_paid_in_a_month_finance_has_closed_is_rejected_and_the_rest_land(taobao_channel, skus, run_import, finance_user):
    from finance.services import period_close

    period_close(actor=finance_user, year=2024, month=5)  # the default order was paid on 2024-05-01
    files = taobao_pair(pf.taobao_order(1), pf.taobao_order(2, 订单付款时间="2024-06-02 10:00:00", 订单创建时间="2024-06-02 09:00:00"))

    batch = run_import(taobao_channel, *files)

    assert list(Order.objects.values_list("platform_order_id", flat=True)) == ["2"]
    assert "closed" in batch.rejections.get(platform_order_id="1", file_name="ExportOrderList.csv").reason


def test_a_preview_made_in_english_reads_in_chinese_for_a_chinese_reader(taobao_channel, skus, run_import, clerk):
    run_import(taobao_channel, *taobao_pair(pf.taobao_order(1, 订单状态="等待买家付款", 买家实际支付金额="0")))
    preview = run_import(taobao_channel, *taobao_pair(pf.taobao_order(1), pf.taobao_order(2)), preview=True)
    client = Client()
    client.force_login(clerk)

    page = client.get(
        reverse("admin:orders_importbatch_change", args=[preview.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "已付款" in page  # the changed order's step, stored as a code, shown in the reader's language
    assert "mark_paid" not in page
