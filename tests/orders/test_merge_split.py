"""Merge and split: who may, which orders qualify, everything on every
involved order's timeline, and both undone exactly until picking starts."""

from decimal import Decimal

import pytest

from finance.models import Payment
from inventory.models import StockLevel
from orders import services
from core.errors import DomainError
from orders.models import Order, OrderEventType, OrderLine, OrderStatus
from orders.services import LineInput
from tests.flow import snapshot

from ..inventory.test_stock_conservation import assert_stock_conserved

S = OrderStatus


def reload(order):
    return Order.objects.get(pk=order.pk)


def lines(skus, *quantities, price="10.00"):
    return [LineInput(title=sku.name, quantity=q, unit_price=Decimal(price), sku=sku) for sku, q in zip(skus, quantities, strict=False)]


@pytest.fixture
def two_for_one_buyer(order_in_status, skus):
    """Two paid orders of the same buyer to the same address."""
    first = order_in_status(S.APPROVED, lines=lines(skus, 1), buyer_nick="tea_lover")
    second = order_in_status(S.PAID, lines=lines(skus[1:], 2), buyer_nick="tea_lover")
    return first, second


def test_merged_orders_ship_in_one_parcel_and_are_allocated_together(two_for_one_buyer, clerk, warehouse_user, warehouse):
    first, second = two_for_one_buyer
    services.order_approve(actor=clerk, order_id=second.pk)

    master = services.order_merge(actor=clerk, order_ids=[second.pk, first.pk])
    services.order_allocate(actor=warehouse_user, order_id=master.pk)

    assert master.pk == first.pk and reload(second).merged_into_id == first.pk
    assert {reload(o).status for o in (first, second)} == {S.ALLOCATED}
    assert {reload(o).warehouse_id for o in (first, second)} == {warehouse.pk}
    for order in (first, second):
        merged = order.events.get(type=OrderEventType.MERGED)
        assert merged.parameters["orders"] == [first.number, second.number]
    assert_stock_conserved()


def test_a_merged_order_is_allocated_through_the_order_it_ships_with(two_for_one_buyer, clerk, warehouse_user):
    first, second = two_for_one_buyer
    services.order_merge(actor=clerk, order_ids=[first.pk, second.pk])

    with pytest.raises(DomainError, match=first.number):
        services.order_allocate(actor=warehouse_user, order_id=second.pk)


def test_merge_round_trip_leaves_both_orders_as_they_were_but_for_the_timeline(two_for_one_buyer, clerk):
    first, second = two_for_one_buyer
    before = [Order.objects.filter(pk=o.pk).values("status", "merged_into", "warehouse").get() for o in (first, second)]

    services.order_merge(actor=clerk, order_ids=[first.pk, second.pk])
    services.order_unmerge(actor=clerk, order_id=first.pk)

    after = [Order.objects.filter(pk=o.pk).values("status", "merged_into", "warehouse").get() for o in (first, second)]
    assert after == before
    for order in (first, second):
        assert list(order.events.filter(type__in=["merged", "unmerged"]).values_list("type", flat=True)) == ["merged", "unmerged"]


@pytest.mark.parametrize(
    "difference",
    [
        {"ship_phone": "13900000000"},
        {"ship_address": "另一条路 1 号"},
        {"ship_name": "李四"},
        {"buyer_nick": "someone_else"},
    ],
)
def test_orders_for_another_buyer_or_address_are_not_merged(order_in_status, skus, clerk, difference):
    first = order_in_status(S.PAID, lines=lines(skus, 1), buyer_nick="tea_lover")
    second = order_in_status(S.PAID, lines=lines(skus, 1), **{"buyer_nick": "tea_lover", **difference})
    before = snapshot(first.pk), snapshot(second.pk)

    with pytest.raises(DomainError, match="same channel, buyer and ship-to"):
        services.order_merge(actor=clerk, order_ids=[first.pk, second.pk])

    assert (snapshot(first.pk), snapshot(second.pk)) == before


def test_orders_picking_unpaid_or_with_a_refund_pending_are_not_merged(order_in_status, skus, clerk, supervisor):
    base = order_in_status(S.PAID, lines=lines(skus, 1), buyer_nick="b")
    picking = order_in_status(S.PICKING, lines=lines(skus, 1), buyer_nick="b")
    unpaid = order_in_status(S.PENDING_PAYMENT, lines=lines(skus, 1), buyer_nick="b")
    refunding = order_in_status(S.APPROVED, lines=lines(skus, 1), buyer_nick="b")
    from finance import services as finance_services
    from orders import locks

    order = locks.order_for_update(refunding.pk)
    finance_services.refund_request(order=order, actor=supervisor, amount=Decimal("1.00"), reason="goodwill")

    for other, why in ((picking, "Picking"), (unpaid, "Pending payment"), (refunding, "refund pending")):
        with pytest.raises(DomainError, match=why):
            services.order_merge(actor=clerk, order_ids=[base.pk, other.pk])


def test_only_roles_that_merge_may_merge(two_for_one_buyer, warehouse_user, service_user):
    first, second = two_for_one_buyer
    for actor in (warehouse_user, service_user):
        with pytest.raises(DomainError):
            services.order_merge(actor=actor, order_ids=[first.pk, second.pk])
    assert reload(second).merged_into_id is None


def test_cancelling_a_merged_order_takes_it_out_of_the_parcel(two_for_one_buyer, clerk):
    first, second = two_for_one_buyer
    services.order_merge(actor=clerk, order_ids=[first.pk, second.pk])

    services.order_cancel(actor=clerk, order_id=second.pk, reason="Buyer changed their mind")

    assert reload(second).merged_into_id is None


def test_a_merge_cannot_be_undone_once_picking_started(two_for_one_buyer, clerk, warehouse_user):
    first, second = two_for_one_buyer
    services.order_approve(actor=clerk, order_id=second.pk)
    services.order_merge(actor=clerk, order_ids=[first.pk, second.pk])
    services.order_allocate(actor=warehouse_user, order_id=first.pk)
    for order in (first, second):
        services.order_start_picking(actor=warehouse_user, order_id=order.pk)

    with pytest.raises(DomainError, match="Picking has started"):
        services.order_unmerge(actor=clerk, order_id=first.pk)


# --- split ------------------------------------------------------------------------------------


def test_split_moves_units_money_and_reservation_and_putting_back_restores_everything(order_in_status, skus, clerk, warehouse):
    order = order_in_status(S.ALLOCATED, lines=lines(skus, 3, 1))
    first_line, second_line = order.lines.order_by("id")
    before_lines = list(OrderLine.objects.filter(order=order).order_by("id").values_list("sku_id", "quantity", "discount_amount"))
    before_money = (order.goods_amount, order.paid_amount)
    payments = Payment.objects.count()

    child = services.order_split(actor=clerk, order_id=order.pk, quantities={first_line.pk: 1, second_line.pk: 1})

    order, child = reload(order), reload(child)
    assert child.number == f"{order.number}-1" and child.split_from_id == order.pk
    assert (child.status, child.warehouse_id) == (S.ALLOCATED, warehouse.pk)
    assert sorted(child.lines.values_list("sku__code", "quantity")) == [("TEA-1", 1), ("TEA-2", 1)]
    assert list(order.lines.values_list("sku__code", "quantity")) == [("TEA-1", 2)]
    assert (child.goods_amount, order.goods_amount) == (Decimal("20.00"), Decimal("20.00"))
    assert child.paid_amount + order.paid_amount == before_money[1]
    assert StockLevel.objects.get(warehouse=warehouse, sku=skus[0]).reserved == 3  # moved, not doubled
    assert_stock_conserved()
    for one in (order, child):
        assert one.events.filter(type=OrderEventType.SPLIT).exists()

    services.order_unsplit(actor=clerk, order_id=child.pk)

    order, child = reload(order), reload(child)
    assert list(OrderLine.objects.filter(order=order).order_by("id").values_list("sku_id", "quantity", "discount_amount")) == before_lines
    assert (order.goods_amount, order.paid_amount) == before_money
    assert (child.status, child.goods_amount, child.lines.count()) == (S.CANCELLED, 0, 0)
    assert not child.refunds.exists() and Payment.objects.count() == payments
    assert order.status == S.ALLOCATED
    assert_stock_conserved()
    for one in (order, child):
        assert one.events.filter(type=OrderEventType.SPLIT_UNDONE).exists()


def test_split_must_leave_something_behind_and_stay_within_the_lines(order_in_status, skus, clerk):
    order = order_in_status(S.PAID, lines=lines(skus, 2))
    only_line = order.lines.get()
    before = snapshot(order.pk)

    for quantities in ({only_line.pk: 2}, {only_line.pk: 3}, {}, {999999: 1}):
        with pytest.raises(DomainError):
            services.order_split(actor=clerk, order_id=order.pk, quantities=quantities)

    assert snapshot(order.pk) == before


def test_a_split_cannot_be_undone_once_picking_started(order_in_status, skus, clerk, warehouse_user):
    order = order_in_status(S.ALLOCATED, lines=lines(skus, 2))
    child = services.order_split(actor=clerk, order_id=order.pk, quantities={order.lines.get().pk: 1})
    services.order_start_picking(actor=warehouse_user, order_id=child.pk)

    with pytest.raises(DomainError, match="Picking"):
        services.order_unsplit(actor=clerk, order_id=child.pk)


def test_merge_and_split_from_the_admin(two_for_one_buyer, clerk, client):
    from django.urls import reverse

    first, second = two_for_one_buyer
    client.force_login(clerk)

    client.post(reverse("admin:orders_order_changelist"), {"action": "bulk_merge", "_selected_action": [first.pk, second.pk]})
    assert reload(second).merged_into_id == first.pk
    client.post(reverse("admin:orders_order_action", args=[second.pk, "unmerge"]), {"run": "1"})
    assert reload(second).merged_into_id is None

    line = second.lines.get()
    client.post(reverse("admin:orders_order_action", args=[second.pk, "split"]), {"apply": "1", f"line_{line.pk}": 1})
    child = Order.objects.get(split_from=second)
    assert list(child.lines.values_list("quantity", flat=True)) == [1]
