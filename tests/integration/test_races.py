"""Two people at once, on real PostgreSQL row locks: each race is run several
rounds, each round two services released at the same moment in threads with
their own connections. What the users see: the one that may succeed succeeds,
the other gets a clear DomainError (never a deadlock or a database error), and
stock and money add up afterwards."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from aftersales import services as aftersales
from aftersales.models import ReturnReason, TicketKind
from core.errors import DomainError
from finance import services as finance
from finance.models import ClosedPeriod, Refund
from inventory import services as stock_services
from inventory.models import PurchaseStatus, StockLevel
from orders import services
from orders.models import Order, OrderStatus
from orders.services import LineInput
from tests.factories import SKUFactory
from tests.finance.test_concurrency import together

from ..inventory.test_stock_conservation import assert_stock_conserved

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = OrderStatus
ROUNDS = 8


def reload(order):
    return Order.objects.get(pk=order.pk)


def crashes(results):
    """The results that are neither a value nor a DomainError: what a user would meet as a crash (a deadlock, say)."""
    return [result for result in results if isinstance(result, Exception) and not isinstance(result, DomainError)]


@pytest.fixture
def merged_and_allocated(order_in_status, skus, clerk, warehouse_user):
    """merged_and_allocated() → (master, member): two approved orders of one buyer for
    the same SKU, merged (the older one carries the parcel) and allocated together."""

    def build():
        line = [LineInput(title=skus[0].name, quantity=1, unit_price=Decimal("10.00"), sku=skus[0])]
        master = order_in_status(S.APPROVED, lines=line, buyer_nick="tea_lover")
        member = order_in_status(S.APPROVED, lines=line, buyer_nick="tea_lover")
        services.order_merge(actor=clerk, order_ids=[master.pk, member.pk])
        services.order_allocate(actor=warehouse_user, order_id=master.pk)
        return master, member

    return build


def test_cancelling_a_merged_parcel_and_its_member_at_once_cancels_both(merged_and_allocated, supervisor, make_user):
    colleague = make_user("Supervisor")
    for _round in range(ROUNDS):
        # Given an allocated parcel of two orders for the same SKU;
        master, member = merged_and_allocated()

        # when one supervisor cancels the parcel's order while another cancels the member,
        results = together(
            lambda: services.order_cancel(actor=supervisor, order_id=master.pk, reason="Buyer cancelled"),
            lambda: services.order_cancel(actor=colleague, order_id=member.pk, reason="Buyer cancelled"),
        )

        # then both are cancelled (no deadlock reaches either), their stock is back and each awaits its refund.
        assert crashes(results) == [], results
        assert [result.status for result in results] == [S.CANCELLED, S.CANCELLED]
        for order in (master, member):
            order = reload(order)
            assert (order.status, order.merged_into_id) == (S.CANCELLED, None)
            assert order.refunds.count() == 1
        assert_stock_conserved()


def test_overlapping_merges_at_once_never_chain_orders(order_in_status, skus, clerk, make_user):
    colleague = make_user("Clerk")
    line = [LineInput(title=skus[0].name, quantity=1, unit_price=Decimal("10.00"), sku=skus[0])]
    for _round in range(ROUNDS):
        # Given three paid orders of one buyer to one address;
        a, b, c = (order_in_status(S.PAID, lines=line, buyer_nick="tea_lover") for _ in range(3))

        # when one clerk merges A and B while another merges B and C,
        results = together(
            lambda: services.order_merge(actor=clerk, order_ids=[a.pk, b.pk]),
            lambda: services.order_merge(actor=colleague, order_ids=[b.pk, c.pk]),
        )

        # then no order ships with an order that itself ships with another (never C → B → A):
        assert crashes(results) == [], results
        carriers = {order.pk: reload(order).merged_into_id for order in (a, b, c)}
        assert all(carriers[carrier] is None for carrier in carriers.values() if carrier), carriers
        refused = [result for result in results if isinstance(result, DomainError)]
        if refused:
            # at the same moment, one merge stands and the other clerk is told the orders changed under it;
            assert len(refused) == 1 and list(carriers.values()).count(None) == 2, (results, carriers)
        else:
            # one after the other, {A, B} took along the parcel B carried by then, as any later merge does.
            assert carriers == {a.pk: None, b.pk: a.pk, c.pk: a.pk}, carriers


ALLOCATIONS = {
    "the order's button": lambda order_id, actor: services.order_allocate(actor=actor, order_id=order_id),
    "the minute job": lambda order_id, actor: services.orders_allocate_approved(actor=None, order_ids=[order_id]),
}


@pytest.mark.parametrize("allocate", ALLOCATIONS.values(), ids=ALLOCATIONS)
def test_merging_into_an_order_while_it_is_allocated_leaves_no_order_of_the_parcel_behind(
    allocate, order_in_status, skus, clerk, warehouse_user
):
    line = [LineInput(title=skus[0].name, quantity=1, unit_price=Decimal("10.00"), sku=skus[0])]
    for _round in range(ROUNDS):
        # Given two approved orders of one buyer to one address;
        carrier, joining = (order_in_status(S.APPROVED, lines=line, buyer_nick="tea_lover") for _ in range(2))

        # when a clerk merges them while the warehouse allocates the older one,
        merged, allocated = together(
            lambda: services.order_merge(actor=clerk, order_ids=[carrier.pk, joining.pk]),
            lambda: allocate(carrier.pk, warehouse_user),
        )

        # then the allocation succeeds, and either the merge came first and both are allocated
        # together, or it came second and is refused (an allocated order takes no unallocated one).
        assert crashes([merged]) == [] and not isinstance(allocated, Exception), (merged, allocated)
        assert reload(carrier).status == S.ALLOCATED
        joining = reload(joining)
        if isinstance(merged, DomainError):
            assert (joining.merged_into_id, joining.status) == (None, S.APPROVED)
        else:
            assert (joining.merged_into_id, joining.status) == (carrier.pk, S.ALLOCATED)
        assert_stock_conserved()


def test_splitting_an_order_while_it_is_allocated_moves_or_leaves_the_reservation_whole(
    order_in_status, skus, clerk, warehouse_user
):
    for _round in range(ROUNDS):
        # Given an approved order of two SKUs;
        order = order_in_status(
            S.APPROVED,
            lines=[
                LineInput(title=skus[0].name, quantity=2, unit_price=Decimal("10.00"), sku=skus[0]),
                LineInput(title=skus[1].name, quantity=1, unit_price=Decimal("10.00"), sku=skus[1]),
            ],
        )
        moving = order.lines.get(sku=skus[1])

        # when a clerk splits the second SKU off while the warehouse allocates the order,
        split, allocated = together(
            lambda: services.order_split(actor=clerk, order_id=order.pk, quantities={moving.pk: 1}),
            lambda: services.order_allocate(actor=warehouse_user, order_id=order.pk),
        )

        # then both succeed: the split-off order is allocated if it left after the allocation,
        # approved (still to allocate) if before; no unit is reserved twice or for no order.
        assert crashes([split, allocated]) == [], (split, allocated)
        assert isinstance(split, Order) and isinstance(allocated, Order), (split, allocated)
        assert reload(order).status == S.ALLOCATED
        assert reload(split).status in (S.APPROVED, S.ALLOCATED)
        assert_stock_conserved()


@pytest.fixture
def ordered_purchase(clerk, supervisor, warehouse):
    """ordered_purchase(sku, units) → a purchase request for ``units`` of ``sku``, placed with the supplier."""

    def place(sku, units):
        draft = stock_services.purchase_request_create(actor=clerk, warehouse=warehouse, lines={sku: units})
        stock_services.purchase_request_submit(actor=clerk, purchase_request_id=draft.pk)
        stock_services.purchase_request_approve(actor=supervisor, purchase_request_id=draft.pk)
        return stock_services.purchase_request_place(actor=clerk, purchase_request_id=draft.pk)

    return place


def test_goods_received_while_an_order_waiting_for_them_is_allocated_end_up_reserved_for_it(
    order_in_status, ordered_purchase, receive_stock, warehouse, warehouse_user
):
    for round_number in range(ROUNDS):
        # Given 1 unit on hand, an order for 2 waiting "out of stock" and a purchase of 1 more on its way;
        scarce = SKUFactory(code=f"SCARCE-{round_number}")
        receive_stock(warehouse, scarce, 1)
        order = order_in_status(
            S.APPROVED, lines=[LineInput(title="Scarce", quantity=2, unit_price=Decimal("5.00"), sku=scarce)]
        )
        with pytest.raises(DomainError):
            services.order_allocate_or_flag(actor=warehouse_user, order_id=order.pk)
        purchase = ordered_purchase(scarce, 1)
        line = purchase.lines.get()

        # when the warehouse receives the purchase while someone allocates the waiting order,
        received, allocated = together(
            lambda: stock_services.purchase_request_receive(
                actor=warehouse_user, purchase_request_id=purchase.pk, quantities={line.pk: 1}
            ),
            lambda: services.order_allocate_or_flag(actor=warehouse_user, order_id=order.pk),
        )

        # then the goods are in, and the order is allocated — by that allocation if the goods came
        # first, else by the retry the receipt starts (the allocation said "out of stock" meanwhile).
        assert crashes([received, allocated]) == [], (received, allocated)
        assert received.status == PurchaseStatus.RECEIVED
        order = reload(order)
        assert (order.status, order.exception_reason) == (S.ALLOCATED, "")
        level = StockLevel.objects.get(warehouse=warehouse, sku=scarce)
        assert (level.on_hand, level.reserved) == (2, 2)
        assert_stock_conserved()


def test_refunding_the_same_units_twice_at_once_refunds_them_once(order_in_status, service_user, make_user):
    colleague = make_user("Customer service")
    for _round in range(ROUNDS):
        # Given a delivered order of 2 units (19.80 paid);
        order = order_in_status(S.DELIVERED)
        units = {order.lines.get().pk: 2}

        # when two colleagues open a refund-only ticket for both units at the same moment,
        opened = together(
            *(
                lambda actor=actor: aftersales.return_open(
                    actor=actor, order_id=order.pk, kind=TicketKind.REFUND_ONLY, reason=ReturnReason.OTHER, quantities=units
                )
                for actor in (service_user, colleague)
            )
        )
        # then one ticket is opened and the other colleague is told the units are in a ticket already;
        assert crashes(opened) == [], opened
        (ticket,) = [result for result in opened if not isinstance(result, DomainError)]
        aftersales.return_approve(actor=service_user, ticket_id=ticket.pk)

        # and when both refund that ticket at the same moment,
        refunded = together(
            lambda: aftersales.return_refund(actor=service_user, ticket_id=ticket.pk),
            lambda: aftersales.return_refund(actor=colleague, ticket_id=ticket.pk),
        )

        # one refund of what was paid is requested, and the other colleague is told why not.
        assert crashes(refunded) == [], refunded
        assert sum(isinstance(result, DomainError) for result in refunded) == 1, refunded
        assert list(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [Decimal("19.80")]


def test_closing_a_month_waits_for_a_payment_being_written_in_it(order_in_status, clerk, make_user):
    """Issue 10: a close and an import's payments did not lock each other, so a payment
    dated in a month could commit after the month was closed."""
    finance_user = make_user("Finance")
    last_month = (timezone.localtime().replace(day=1) - timedelta(days=1)).replace(hour=12)
    for _round in range(3):
        ClosedPeriod.objects.all().delete()
        order = order_in_status(S.PENDING_PAYMENT)
        committed = {}
        months_read = threading.Event()

        def pay_in_last_month():
            with transaction.atomic():
                closed = finance.closed_months()  # as a bulk import does, once for its chunk
                months_read.set()
                time.sleep(0.5)  # the close is under way meanwhile
                finance.payment_build(
                    order=Order.objects.get(pk=order.pk), actor=clerk, amount=Decimal("1.00"), method="bank_transfer",
                    reference="", at=last_month, closed_months=closed,
                ).save()
            committed["payment"] = time.monotonic()

        def close_last_month():
            months_read.wait()
            finance.period_close(actor=finance_user, year=last_month.year, month=last_month.month)
            committed["close"] = time.monotonic()

        results = together(pay_in_last_month, close_last_month)

        assert crashes(results) == [], results
        assert committed["close"] > committed["payment"]  # the close waited for the payment dated in its month
        assert ClosedPeriod.objects.filter(month=last_month.date().replace(day=1)).exists()
        with pytest.raises(finance.PeriodClosed):
            with transaction.atomic():
                finance.ensure_period_open(last_month, subject="A payment", closed=finance.closed_months())
