"""Allocation as users and jobs meet it: out of stock flagged with the missing
SKUs, a split proposed when the goods sit in different warehouses, orders
retried when stock arrives, the minute job, undoing an allocation, and the
price of one allocation in queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services as stock_services
from inventory.models import StockLevel, StockMovement
from orders import services, tasks
from core.errors import DomainError
from orders.models import ExceptionReason, Order, OrderEventType, OrderStatus
from orders.services import LineInput
from tests.factories import SKUFactory
from tests.flow import snapshot

from .test_stock_conservation import assert_stock_conserved

S = OrderStatus


def line(sku, quantity=1):
    return LineInput(title=sku.name, quantity=quantity, unit_price=Decimal("10.00"), sku=sku)


def reload(order):
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def black_and_white(receive_stock, warehouse, second_warehouse):
    """BLACK only in the main warehouse (5), WHITE only in the second (5)."""
    black, white = SKUFactory(code="BLACK"), SKUFactory(code="WHITE")
    receive_stock(warehouse, black, 5)
    receive_stock(second_warehouse, white, 5)
    return black, white


def test_an_order_without_stock_gets_the_out_of_stock_exception_with_the_missing_skus(order_in_status, warehouse_user, sku):
    rare = SKUFactory(code="RARE")
    order = order_in_status(S.APPROVED, lines=[line(sku, 1), line(rare, 2)])

    with pytest.raises(stock_services.InsufficientStock) as refused:
        services.order_allocate_or_flag(actor=warehouse_user, order_id=order.pk)

    order = reload(order)
    assert (order.status, order.exception_reason) == (S.APPROVED, ExceptionReason.OUT_OF_STOCK)
    assert "RARE" in order.exception_note and "TEA-1" not in order.exception_note.split("Missing:")[1].split(".")[0]
    assert refused.value.missing == ["RARE"]
    assert order.events.filter(type=OrderEventType.EXCEPTION_FLAGGED).count() == 1
    assert not StockMovement.objects.filter(order=order).exists()


def test_goods_in_two_warehouses_get_a_split_proposal_not_a_missing_sku(order_in_status, clerk, black_and_white):
    black, white = black_and_white
    order = order_in_status(S.APPROVED, lines=[line(black), line(white)])

    with pytest.raises(stock_services.InsufficientStock) as refused:
        services.order_allocate_or_flag(actor=clerk, order_id=order.pk)

    assert refused.value.missing == []
    assert refused.value.split == [("sh", {"BLACK": 1}), ("gz", {"WHITE": 1})]
    assert "split" in reload(order).exception_note


def test_split_by_warehouse_then_each_part_allocates_in_its_warehouse(order_in_status, clerk, black_and_white, warehouse, second_warehouse):
    black, white = black_and_white
    order = order_in_status(S.APPROVED, lines=[line(black), line(white)])
    with pytest.raises(DomainError):
        services.order_allocate_or_flag(actor=clerk, order_id=order.pk)

    original, child = services.order_split_by_warehouse(actor=clerk, order_id=order.pk)
    tasks.allocate_approved_orders()
    services.order_allocate(actor=clerk, order_id=original.pk)  # the flagged one: allocation resolves its exception

    original, child = reload(original), reload(child)
    assert (original.status, original.warehouse, original.exception_reason) == (S.ALLOCATED, warehouse, "")
    assert (child.status, child.warehouse, child.split_from_id) == (S.ALLOCATED, second_warehouse, original.pk)
    assert list(child.lines.values_list("sku__code", flat=True)) == ["WHITE"]
    assert_stock_conserved()


@pytest.mark.django_db(transaction=True)
def test_stock_arriving_retries_the_orders_waiting_for_it_with_one_task_per_transaction(
    order_in_status, warehouse_user, warehouse, sku, monkeypatch
):
    from django.db import transaction

    from inventory.services import arrivals

    queued = []
    real_enqueue = arrivals.enqueue_on_commit
    monkeypatch.setattr(arrivals, "enqueue_on_commit", lambda task, *args: queued.append(args) or real_enqueue(task, *args))
    rare = SKUFactory(code="RARE")
    waiting = order_in_status(S.APPROVED, lines=[line(rare, 2)])
    with pytest.raises(DomainError):
        services.order_allocate_or_flag(actor=warehouse_user, order_id=waiting.pk)

    # Stock nobody waits for: its one task finds no order to retry.
    stock_services.stock_receive(actor=warehouse_user, warehouse=warehouse, sku=sku, quantity=1)
    assert queued == [([sku.pk],)]
    assert reload(waiting).status == S.APPROVED
    queued.clear()
    # Three receipts in one transaction, one of them for the waiting order's SKU: one task, run on commit.
    with transaction.atomic():
        for item in (sku, rare, rare):
            stock_services.stock_receive(actor=warehouse_user, warehouse=warehouse, sku=item, quantity=1)
        assert reload(waiting).status == S.APPROVED  # nothing happens before commit

    assert queued == [(sorted([sku.pk, rare.pk]),)]
    waiting = reload(waiting)
    assert (waiting.status, waiting.exception_reason) == (S.ALLOCATED, "")
    assert waiting.events.filter(type=OrderEventType.EXCEPTION_RESOLVED).exists()
    assert_stock_conserved()


def test_the_minute_job_allocates_approved_orders_and_flags_those_without_stock(order_in_status, sku):
    rare = SKUFactory(code="RARE")
    ready = order_in_status(S.APPROVED, lines=[line(sku, 2)])
    short = order_in_status(S.APPROVED, lines=[line(rare, 1)])

    first = tasks.allocate_approved_orders()
    second = tasks.allocate_approved_orders()  # safe to run twice

    assert first == {"allocated": 1, "not_allocated": 1}
    assert second == {"allocated": 0, "not_allocated": 0}
    assert reload(ready).status == S.ALLOCATED
    assert (reload(short).status, reload(short).exception_reason) == (S.APPROVED, ExceptionReason.OUT_OF_STOCK)


def test_undoing_an_allocation_gives_the_stock_back_and_approves_the_order_again(order_in_status, warehouse_user, sku, warehouse):
    order = order_in_status(S.ALLOCATED, lines=[line(sku, 3)])

    services.order_deallocate(actor=warehouse_user, order_id=order.pk)

    order = reload(order)
    assert (order.status, order.warehouse_id, order.allocated_at) == (S.APPROVED, None, None)
    assert StockLevel.objects.get(warehouse=warehouse, sku=sku).reserved == 0
    assert order.events.filter(type=OrderEventType.DEALLOCATED).exists()
    assert_stock_conserved()


def test_a_role_without_allocation_may_not_undo_one(order_in_status, service_user, sku):
    order = order_in_status(S.ALLOCATED, lines=[line(sku, 1)])
    before = snapshot(order.pk)

    with pytest.raises(DomainError):
        services.order_deallocate(actor=service_user, order_id=order.pk)

    assert snapshot(order.pk) == before


def test_one_allocation_runs_a_fixed_small_number_of_queries(order_in_status, warehouse_user, skus):
    one = order_in_status(S.APPROVED, lines=[line(skus[0], 1)])
    three = order_in_status(S.APPROVED, lines=[line(skus[0], 1), line(skus[1], 1), line(skus[2], 1)])
    warehouse_user.has_perm("orders.allocate_order")  # permissions cached, as in a worker

    counts = []
    for order in (one, three):
        with CaptureQueriesContext(connection) as queries:
            services.order_allocate(actor=warehouse_user, order_id=order.pk)
        counts.append(len(queries))

    # lock order, lock the orders merged into it, lock lines, stock read, stock lock, order, event, stock update,
    # movements (+ savepoint/commit)
    assert counts[0] <= 11, counts
    assert counts[1] == counts[0], "the number of lines does not change the number of queries"


def test_the_scheduled_jobs_exist_after_migrate(db):
    from django_q.models import Schedule

    schedules = dict(Schedule.objects.values_list("func", "schedule_type"))
    assert schedules["orders.tasks.allocate_approved_orders"] == Schedule.MINUTES
    assert schedules["orders.tasks.refresh_replenishment"] == Schedule.DAILY


def test_the_order_page_allocate_button_flags_an_order_without_stock(order_in_status, clerk, client):
    rare = SKUFactory(code="RARE")
    order = order_in_status(S.APPROVED, lines=[line(rare, 1)])
    client.force_login(clerk)
    from django.urls import reverse

    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert 'action="%s"' % reverse("admin:orders_order_action", args=[order.pk, "allocate"]) in page  # offered, not greyed out
    client.post(reverse("admin:orders_order_action", args=[order.pk, "allocate"]), {"run": "1"})

    order = reload(order)
    assert (order.status, order.exception_reason) == (S.APPROVED, ExceptionReason.OUT_OF_STOCK)
    assert "RARE" in order.exception_note


def test_the_batch_job_serves_the_most_urgent_first_and_flags_the_rest(order_in_status, warehouse):
    scarce = SKUFactory(code="SCARCE")
    stock_services.stock_receive(actor=None, warehouse=warehouse, sku=scarce, quantity=3)
    normal = order_in_status(S.APPROVED, lines=[line(scarce, 2)])
    urgent = order_in_status(S.APPROVED, lines=[line(scarce, 2)], priority=2)
    small = order_in_status(S.APPROVED, lines=[line(scarce, 1)])

    result = tasks.allocate_approved_orders()

    assert result == {"allocated": 2, "not_allocated": 1}
    assert [reload(o).status for o in (urgent, normal, small)] == [S.ALLOCATED, S.APPROVED, S.ALLOCATED]
    assert reload(normal).exception_reason == ExceptionReason.OUT_OF_STOCK
    assert "SCARCE: need 2, available 1" in reload(normal).exception_note
    assert reload(urgent).events.filter(type=OrderEventType.ALLOCATED).count() == 1
    assert_stock_conserved()


def test_the_batch_job_resolves_a_flagged_order_once_stock_is_there_and_leaves_merged_orders_to_one_by_one(
    order_in_status, clerk, warehouse, sku
):
    rare = SKUFactory(code="RARE")
    flagged = order_in_status(S.APPROVED, lines=[line(rare, 1)])
    tasks.allocate_approved_orders()
    assert reload(flagged).exception_reason == ExceptionReason.OUT_OF_STOCK
    first = order_in_status(S.APPROVED, lines=[line(sku, 1)], buyer_nick="pair")
    second = order_in_status(S.APPROVED, lines=[line(sku, 1)], buyer_nick="pair")
    services.order_merge(actor=clerk, order_ids=[first.pk, second.pk])
    stock_services.stock_receive(actor=None, warehouse=warehouse, sku=rare, quantity=1)

    tasks.retry_out_of_stock_orders(sku_ids=[rare.pk])
    tasks.allocate_approved_orders()

    flagged = reload(flagged)
    assert (flagged.status, flagged.exception_reason) == (S.ALLOCATED, "")
    assert flagged.events.filter(type=OrderEventType.EXCEPTION_RESOLVED).exists()
    assert {reload(first).status, reload(second).status} == {S.ALLOCATED}
    assert_stock_conserved()
