"""Money and statuses as the platforms mean them: the order's total and paid
amount are the platform's own figures, to the cent."""

from decimal import Decimal

import pytest

from finance.models import Payment, Refund
from finance.selectors import order_line_paid_shares
from finance.services import period_close
from orders import services
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


# --- Shopify: prices with tax, what was paid and refunded ----------------------------------------


def shopify_eu_order(name="#1001", **cells):
    """A German shop: prices include 19% VAT; Total = Subtotal + Shipping."""
    first = pf.shopify_line(
        name,
        Currency="EUR", Subtotal="59.98", Shipping="4.90", Taxes="10.82", Total="64.88",
        **{"Lineitem quantity": "2", "Lineitem price": "24.99", "Shipping Country": "DE", "Tax 1 Name": "DE MwSt 19%",
           "Tax 1 Value": "10.82"},
        **cells,
    )  # fmt: skip
    second = {"Lineitem quantity": "1", "Lineitem name": "Oolong tea", "Lineitem price": "10.00", "Lineitem sku": "TEA-2"}
    return [first, second]


def import_shopify(platform_channel, run_import, *orders):
    channel = platform_channel(Platform.SHOPIFY)
    return channel, run_import(channel, ("orders_export.csv", pf.shopify_csv(list(orders))))


def test_a_tax_inclusive_shopify_order_costs_what_the_buyer_paid_to_the_cent(platform_channel, skus, run_import):
    _channel, batch = import_shopify(platform_channel, run_import, shopify_eu_order())

    assert batch.rejected_orders == 0, reasons(batch)
    order = Order.objects.get()
    assert (order.total_amount, order.paid_amount, order.tax_amount) == (Decimal("64.88"), Decimal("64.88"), Decimal("10.82"))
    assert order.payments.get().amount == Decimal("64.88")
    assert order.exception_reason == ""
    lines = order.lines.order_by("pk")
    # The VAT is taken out of the lines, split by their totals to the cent.
    assert sum(line.unit_price * line.quantity - line.discount_amount for line in lines) == Decimal("59.98") - Decimal("10.82")
    shares = order_line_paid_shares(order)
    assert sum(shares.values()) == order.total_amount - order.shipping_amount


def test_a_tax_exclusive_shopify_order_adds_its_taxes(platform_channel, skus, run_import):
    import_shopify(platform_channel, run_import, [pf.shopify_line()])

    order = Order.objects.get()
    assert (order.total_amount, order.tax_amount, order.lines.get().unit_price) == (Decimal("48.18"), Decimal("3.20"), Decimal("19.99"))


def test_a_shopify_order_whose_figures_do_not_add_up_is_flagged_and_keeps_the_platforms_total(platform_channel, skus, run_import):
    _channel, batch = import_shopify(platform_channel, run_import, [pf.shopify_line(Total="50.00")])

    assert batch.created_count == 1
    order = Order.objects.get()
    assert order.paid_amount == Decimal("50.00")  # what Shopify charged, not a total of ours
    assert order.exception_reason == ExceptionReason.PRICE_MISMATCH
    assert "50.00" in order.exception_note


def test_a_shopify_order_paid_then_cancelled_keeps_its_payment_and_gets_its_refund(platform_channel, skus, run_import):
    cancelled = pf.shopify_line(
        **{"Financial Status": "refunded", "Cancelled at": "2025-12-07 09:00:00 -0500", "Refunded Amount": "48.18"}
    )

    _channel, batch = import_shopify(platform_channel, run_import, [cancelled])

    assert batch.rejected_orders == 0, reasons(batch)
    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED
    assert order.payments.get().amount == Decimal("48.18")
    assert order.refunds.get().amount == Decimal("48.18")


def test_a_known_unpaid_shopify_order_later_paid_and_cancelled_is_paid_then_refunded(platform_channel, skus, run_import):
    channel, _batch = import_shopify(platform_channel, run_import, [pf.shopify_line(**{"Financial Status": "pending", "Paid at": ""})])
    cancelled = pf.shopify_line(**{"Financial Status": "refunded", "Cancelled at": "2025-12-07 09:00:00 -0500"})

    batch = run_import(channel, ("orders_export.csv", pf.shopify_csv([[cancelled]])))

    assert batch.updated_count == 1, reasons(batch)
    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED
    assert Refund.objects.get(order=order).amount == order.payments.get().amount == Decimal("48.18")


def test_a_partially_refunded_shopify_order_is_paid_with_its_refund_requested(platform_channel, skus, run_import):
    import_shopify(platform_channel, run_import, [pf.shopify_line(**{"Financial Status": "partially_refunded", "Refunded Amount": "19.99"})])

    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert (order.payments.get().amount, order.refunds.get().amount) == (Decimal("48.18"), Decimal("19.99"))


def test_a_partially_paid_shopify_order_records_what_was_paid(platform_channel, skus, run_import):
    import_shopify(platform_channel, run_import, [pf.shopify_line(**{"Financial Status": "partially_paid", "Outstanding Balance": "28.18"})])

    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert order.payments.get().amount == Decimal("20.00")


@pytest.mark.parametrize("financial", ["voided", "expired"])
def test_a_voided_or_expired_shopify_authorisation_imports_closed_without_money(platform_channel, skus, run_import, financial):
    _channel, batch = import_shopify(platform_channel, run_import, [pf.shopify_line(**{"Financial Status": financial, "Paid at": ""})])

    assert batch.rejected_orders == 0, reasons(batch)
    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED
    assert not order.payments.exists() and not order.refunds.exists()


# --- lines without a SKU code ---------------------------------------------------------------------


def test_a_line_without_a_sku_code_is_mapped_by_its_title_and_the_next_one_maps_itself(platform_channel, skus, run_import, clerk):
    custom = {"Lineitem sku": "", "Lineitem name": "Gift wrapping (custom)"}
    channel, _batch = import_shopify(platform_channel, run_import, [pf.shopify_line(**custom)])
    order = Order.objects.get()
    assert order.exception_reason == ExceptionReason.UNKNOWN_SKU
    assert "Gift wrapping (custom)" in order.exception_note

    services.sku_alias_create(actor=clerk, channel=channel, platform_sku_code="Gift wrapping (custom)", sku=skus[2])

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    run_import(channel, ("orders_export.csv", pf.shopify_csv([[pf.shopify_line("#1002", **custom)]])))
    later = Order.objects.get(platform_order_id="#1002")
    assert later.exception_reason == "" and later.lines.get().sku == skus[2]


# --- Amazon: each item's own status, the ship date ----------------------------------------------


def test_a_cancelled_amazon_item_is_no_line_and_none_of_its_money_counts(platform_channel, skus, run_import):
    channel = platform_channel(Platform.AMAZON)
    shipped = {"order-status": "Shipped", "item-status": "Shipped", "last-updated-date": "2024-03-03T16:00:00+00:00"}
    rows = [
        pf.amazon_row("111-0000001-0000001", **shipped),
        pf.amazon_row("111-0000001-0000001", **{**shipped, "item-status": "Cancelled", "sku": "TEA-2", "asin": "B000TEA002",
                                                 "item-price": "10.00", "item-tax": "0.80", "shipping-price": "0.00",
                                                 "item-promotion-discount": "0.00", "quantity": "1"}),
    ]  # fmt: skip

    batch = run_import(channel, ("all_orders.txt", pf.amazon_tsv(rows)))

    assert batch.rejected_orders == 0, reasons(batch)
    order = Order.objects.get()
    assert order.status == OrderStatus.SHIPPED
    assert [line.sku.code for line in order.lines.all()] == ["TEA-1"]
    assert order.total_amount == Decimal("59.97") + Decimal("4.80") + Decimal("5.99") - Decimal("3.00")
    assert order.events.get(type=OrderEventType.SHIPPED_OUTSIDE).created_at.isoformat().startswith("2024-03-03T16:00")


def test_an_amazon_order_whose_items_are_all_cancelled_is_not_imported_as_shipped_and_paid(platform_channel, skus, run_import):
    channel = platform_channel(Platform.AMAZON)
    row = pf.amazon_row(**{"order-status": "Shipped", "item-status": "Cancelled"})

    run_import(channel, ("all_orders.txt", pf.amazon_tsv([row])))

    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED
    assert not order.payments.exists()


# --- the same platform order id from another shop -------------------------------------------------


def test_the_same_shopify_number_from_another_shop_is_rejected_naming_the_conflict(platform_channel, skus, run_import):
    channel, _batch = import_shopify(platform_channel, run_import, [pf.shopify_line("#1001")])
    ours = Order.objects.get()
    other_shop = pf.shopify_line(
        "#1001", Email="bob@example.org", Total="20.00", Subtotal="14.80", Taxes="0.20",
        **{"Created at": "2026-01-10 09:00:00 +0100", "Lineitem price": "7.40"},
    )  # fmt: skip

    batch = run_import(channel, ("orders_export.csv", pf.shopify_csv([[other_shop]])))

    assert (batch.unchanged_count, batch.rejected_orders) == (0, 1)
    (reason,) = reasons(batch)
    assert ours.number in reason and "bob@example.org" in reason and "2026-01-10 16:00:00" in reason
    assert Order.objects.get().updated_at == ours.updated_at


def test_the_same_number_with_another_total_is_not_taken_for_ours_when_it_would_move(platform_channel, skus, run_import):
    channel, _batch = import_shopify(platform_channel, run_import, [pf.shopify_line("#1001")])
    shipped_elsewhere = pf.shopify_line(
        "#1001", Total="20.00", Subtotal="14.80", Taxes="0.20", **{"Lineitem price": "7.40", "Fulfillment Status": "fulfilled"}
    )

    batch = run_import(channel, ("orders_export.csv", pf.shopify_csv([[shipped_elsewhere]])))

    assert (batch.updated_count, batch.rejected_orders) == (0, 1)
    assert "total 48.18, the file 20.00" in reasons(batch)[0]
    assert Order.objects.get().status == OrderStatus.PAID


def test_the_same_shop_file_again_is_still_unchanged(platform_channel, skus, run_import):
    channel, _batch = import_shopify(platform_channel, run_import, shopify_eu_order(), [pf.shopify_line("#1002")])

    batch = run_import(channel, ("orders_export.csv", pf.shopify_csv([shopify_eu_order(), [pf.shopify_line("#1002")]])))

    assert (batch.unchanged_count, batch.rejected_orders) == (2, 0), reasons(batch)


def test_an_order_we_split_is_still_recognised_when_its_file_comes_again(platform_channel, skus, run_import, clerk):
    channel, _batch = import_shopify(platform_channel, run_import, [pf.shopify_line("#1001")])
    order = Order.objects.get()
    services.order_split(actor=clerk, order_id=order.pk, quantities={order.lines.get().pk: 1})

    batch = run_import(channel, ("orders_export.csv", pf.shopify_csv([[pf.shopify_line("#1001")]])))

    assert (batch.unchanged_count, batch.rejected_orders) == (1, 0), reasons(batch)


def test_a_refund_in_a_closed_month_rejects_its_order_without_naming_a_rolled_back_number(
    platform_channel, skus, run_import, finance_user
):
    period_close(actor=finance_user, year=2025, month=12)  # the refund's month; the payment's (November) is open
    refunded = pf.shopify_line(
        **{"Financial Status": "refunded", "Created at": "2025-11-30 10:00:00 -0500", "Paid at": "2025-11-30 10:00:05 -0500",
           "Cancelled at": "2025-12-07 09:00:00 -0500", "Refunded Amount": "48.18"}
    )  # fmt: skip
    later = pf.shopify_line("#1002", **{"Created at": "2026-01-02 10:00:00 -0500", "Paid at": "2026-01-02 10:00:00 -0500"})

    _channel, batch = import_shopify(platform_channel, run_import, [refunded], [later])

    assert list(Order.objects.values_list("platform_order_id", flat=True)) == ["#1002"]
    (reason,) = reasons(batch)
    assert "closed" in reason and "SO" not in reason and reason.startswith("#1001")


def test_a_shipped_shopify_order_refunded_afterwards_is_shipped_paid_and_refunded(platform_channel, skus, run_import):
    returned = pf.shopify_line(
        **{"Financial Status": "refunded", "Fulfillment Status": "fulfilled", "Fulfilled at": "2025-12-07 08:00:00 -0500",
           "Refunded Amount": "48.18"}
    )  # fmt: skip

    import_shopify(platform_channel, run_import, [returned])

    order = Order.objects.get()
    assert order.status == OrderStatus.SHIPPED
    assert order.payments.get().amount == order.refunds.get().amount == Decimal("48.18")


def test_the_preview_shows_a_tax_inclusive_order_at_the_platforms_total(platform_channel, skus, run_import):
    channel = platform_channel(Platform.SHOPIFY)

    preview = run_import(channel, ("orders_export.csv", pf.shopify_csv([shopify_eu_order()])), preview=True)

    assert preview.preview["samples"]["created"][0]["total"] == "64.88"
