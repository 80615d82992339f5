"""Money and statuses as the platforms mean them: the order's total and paid
amount are the platform's own figures, to the cent."""

from decimal import Decimal

import pytest

from finance.models import Payment, Refund
from finance.services import period_close
from orders.models import ExceptionReason, ImportStatus, Order, OrderEvent, OrderEventType, OrderStatus, Platform

from . import platform_files as pf


def reasons(batch) -> list[str]:
    return list(batch.rejections.values_list("reason", flat=True))


def taobao_gift(order_id, **cells):
    order = pf.taobao_order(order_id, 买家应付货款="0.00", 买家应付邮费="0.00", 总金额="0.00", 买家实际支付金额="0.00", **cells)
    return order, pf.taobao_item(order_id, 价格="0.00")


def taobao_files(*pairs):
    orders, items = zip(*pairs, strict=True)
    return ("o.csv", pf.taobao_orders(list(orders))), ("i.csv", pf.taobao_items(list(items)))


# --- orders paid at 0.00 ------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["买家已付款，等待卖家发货", "交易成功"])
def test_an_order_paid_at_zero_imports_paid_with_no_payment_recorded(taobao_channel, skus, run_import, status):
    batch = run_import(taobao_channel, *taobao_files(taobao_gift(1, 订单状态=status), (pf.taobao_order(2), pf.taobao_item(2))))

    assert (batch.created_count, batch.rejected_orders) == (2, 0), reasons(batch)
    gift = Order.objects.get(platform_order_id="1")
    assert gift.status != OrderStatus.PENDING_PAYMENT and gift.paid_at is not None
    assert (gift.total_amount, gift.paid_amount) == (Decimal("0.00"), Decimal("0.00"))
    assert not Payment.objects.filter(order=gift).exists()
    assert Payment.objects.filter(order__platform_order_id="2").exists()


def test_a_known_unpaid_order_the_platform_reports_paid_at_zero_moves_on(taobao_channel, skus, run_import):
    order, item = taobao_gift(1, 订单状态="等待买家付款")
    run_import(taobao_channel, *taobao_files((order, item)))

    batch = run_import(taobao_channel, *taobao_files(taobao_gift(1)))

    assert (batch.updated_count, batch.rejected_orders) == (1, 0), reasons(batch)
    assert Order.objects.get().status == OrderStatus.PAID


def test_the_preview_refuses_what_the_import_refuses(taobao_channel, skus, run_import, finance_user):
    # Paid in a closed month: only the service that records the payment knows.
    period_close(actor=finance_user, year=2024, month=4)
    closed_month = pf.taobao_order(2, 订单创建时间="2024-04-30 10:00:00", 订单付款时间="2024-04-30 10:05:00")
    files = taobao_files((pf.taobao_order(1), pf.taobao_item(1)), (closed_month, pf.taobao_item(2)), taobao_gift(3))

    preview = run_import(taobao_channel, *files, preview=True)
    assert not Order.objects.exists()
    batch = run_import(taobao_channel, *files)

    assert (preview.created_count, preview.rejected_orders) == (batch.created_count, batch.rejected_orders) == (2, 1)
    assert [r.platform_order_id for r in preview.rejections.all()] == [r.platform_order_id for r in batch.rejections.all()]


def test_the_preview_of_a_known_order_runs_the_real_steps_and_keeps_nothing(taobao_channel, skus, run_import, finance_user):
    unpaid = pf.taobao_order(1, 订单状态="等待买家付款", 订单创建时间="2024-04-30 10:00:00", 订单付款时间="")
    run_import(taobao_channel, *taobao_files((unpaid, pf.taobao_item(1))))
    period_close(actor=finance_user, year=2024, month=5)
    events = OrderEvent.objects.count()
    paid_in_closed_month = pf.taobao_order(1, 订单创建时间="2024-04-30 10:00:00", 订单付款时间="2024-05-02 10:05:00")

    preview = run_import(taobao_channel, *taobao_files((paid_in_closed_month, pf.taobao_item(1))), preview=True)

    assert (preview.updated_count, preview.rejected_orders) == (0, 1)
    assert "closed" in reasons(preview)[0]
    assert OrderEvent.objects.count() == events and Order.objects.get().status == OrderStatus.PENDING_PAYMENT


def test_an_error_never_names_an_order_number_that_was_rolled_back(taobao_channel, skus, run_import, finance_user):
    period_close(actor=finance_user, year=2024, month=4)
    closed_month = pf.taobao_order(2, 订单创建时间="2024-04-30 10:00:00", 订单付款时间="2024-04-30 10:05:00")

    batch = run_import(taobao_channel, *taobao_files((closed_month, pf.taobao_item(2))))

    (reason,) = set(reasons(batch))  # one rejection per file of the pair
    assert "SO" not in reason and reason.startswith("2:")
