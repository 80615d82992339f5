"""Two people at once, on real PostgreSQL row locks: each race is run several
rounds, each round two services released at the same moment in threads with
their own connections. What the users see: the one that may succeed succeeds,
the other gets a clear DomainError (never a deadlock or a database error), and
stock and money add up afterwards."""

from decimal import Decimal

import pytest

from core.errors import DomainError
from orders import services
from orders.models import Order, OrderStatus
from orders.services import LineInput
from tests.finance.test_concurrency import together

from ..inventory.test_stock_conservation import assert_stock_conserved

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = OrderStatus
ROUNDS = 6


def reload(order):
    return Order.objects.get(pk=order.pk)


def no_database_errors(results):
    """Every result is a value or a DomainError: nothing a user would meet as a crash (a deadlock, say)."""
    return [result for result in results if isinstance(result, Exception) and not isinstance(result, DomainError)]


@pytest.fixture
def merged_and_allocated(order_in_status, skus, clerk, warehouse_user):
    """merged_and_allocated() → (master, member): two paid orders of one buyer for
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
        assert no_database_errors(results) == [], results
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
        assert no_database_errors(results) == [], results
        carriers = {order.pk: reload(order).merged_into_id for order in (a, b, c)}
        assert all(carriers[carrier] is None for carrier in carriers.values() if carrier), carriers
        refused = [result for result in results if isinstance(result, DomainError)]
        if refused:
            # at the same moment, one merge stands and the other clerk is told the orders changed under it;
            assert len(refused) == 1 and list(carriers.values()).count(None) == 2, (results, carriers)
        else:
            # one after the other, {A, B} took along the parcel B carried by then, as any later merge does.
            assert carriers == {a.pk: None, b.pk: a.pk, c.pk: a.pk}, carriers
