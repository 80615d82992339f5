"""Opening after-sales tickets: by Customer service, on shipped orders, for
some units of some lines, never more units than were ordered."""

from datetime import UTC, datetime

import pytest

from aftersales import services as aftersales
from aftersales.models import ReturnReason, ReturnRequest, ReturnStatus, TicketKind
from core.errors import DomainError, NotPermitted
from orders.models import OrderEvent, OrderEventType, OrderStatus
from tests.flow import snapshot

S = OrderStatus
OPENED = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


def open_return(actor, order, quantities, *, kind=TicketKind.RETURN, reason=ReturnReason.DAMAGED, at=OPENED):
    return aftersales.return_open(
        actor=actor, order_id=order.pk, kind=kind, reason=reason, quantities=quantities, note="Box crushed", at=at
    )


def test_customer_service_opens_a_return_for_part_of_a_shipped_order(two_line_order, service_user):
    order = two_line_order(S.SHIPPED)
    red, green = order.lines.order_by("pk")

    ticket = open_return(service_user, order, {red.pk: 1, green.pk: 0})

    assert (ticket.order, ticket.kind, ticket.reason, ticket.status, ticket.opened_by, ticket.note) == (
        order,
        TicketKind.RETURN,
        ReturnReason.DAMAGED,
        ReturnStatus.REQUESTED,
        service_user,
        "Box crushed",
    )
    assert ticket.number == "RT260600001"
    assert list(ticket.lines.values_list("order_line", "quantity")) == [(red.pk, 1)]
    opened = OrderEvent.objects.get(order=order, type=OrderEventType.RETURN_OPENED)
    assert (opened.actor, opened.created_at, opened.parameters) == (
        service_user,
        OPENED,
        {"ticket": "RT260600001", "kind": "return", "reason": "damaged"},
    )


@pytest.mark.parametrize("status", [S.SHIPPED, S.DELIVERED, S.COMPLETED])
def test_return_can_be_opened_once_the_order_has_shipped(two_line_order, service_user, status):
    order = two_line_order(status)
    green = order.lines.get(title="Green tea")

    open_return(service_user, order, {green.pk: 2}, kind=TicketKind.EXCHANGE, reason=ReturnReason.SIZE_FIT)

    assert ReturnRequest.objects.filter(order=order).count() == 1


@pytest.mark.parametrize(
    "status", [S.PENDING_PAYMENT, S.PAID, S.ON_HOLD, S.APPROVED, S.ALLOCATED, S.PICKING, S.PACKED, S.CANCELLED]
)
def test_return_is_refused_before_the_order_ships(two_line_order, service_user, status):
    order = two_line_order(status)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="has not shipped"):
        open_return(service_user, order, {order.lines.first().pk: 1})

    assert snapshot(order.pk) == before
    assert not ReturnRequest.objects.exists()


def test_return_is_refused_beyond_the_quantity_ordered(two_line_order, service_user):
    order = two_line_order()
    red = order.lines.get(title="Red tea")
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="4 requested, but only 3 of 3"):
        open_return(service_user, order, {red.pk: 4})

    assert snapshot(order.pk) == before
    assert not ReturnRequest.objects.exists()


def test_units_in_earlier_open_tickets_count_against_the_quantity_ordered(two_line_order, service_user):
    order = two_line_order()
    red, green = order.lines.order_by("pk")
    open_return(service_user, order, {red.pk: 2})

    with pytest.raises(DomainError, match="2 requested, but only 1 of 3"):
        open_return(service_user, order, {red.pk: 2, green.pk: 1})
    open_return(service_user, order, {red.pk: 1, green.pk: 2})
    with pytest.raises(DomainError, match="only 0 of 3"):
        open_return(service_user, order, {red.pk: 1})

    assert sorted(ReturnRequest.objects.values_list("lines__order_line__title", "lines__quantity")) == [
        ("Green tea", 2),
        ("Red tea", 1),
        ("Red tea", 2),
    ]


@pytest.mark.parametrize(
    "quantities",
    ["nothing", "all zero", "negative", "another order's line"],
)
def test_return_needs_some_positive_quantities_of_this_orders_lines(two_line_order, service_user, quantities):
    order, other = two_line_order(), two_line_order()
    red = order.lines.get(title="Red tea")
    quantities = {
        "nothing": {},
        "all zero": {red.pk: 0},
        "negative": {red.pk: -1},
        "another order's line": {other.lines.first().pk: 1},
    }[quantities]
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="at least one line of this order"):
        open_return(service_user, order, quantities)

    assert snapshot(order.pk) == before
    assert not ReturnRequest.objects.exists()


def test_return_needs_a_kind_and_reason_from_the_lists(two_line_order, service_user):
    order = two_line_order()
    red = order.lines.get(title="Red tea")

    with pytest.raises(DomainError, match="from the lists"):
        open_return(service_user, order, {red.pk: 1}, kind="repair")
    with pytest.raises(DomainError, match="from the lists"):
        open_return(service_user, order, {red.pk: 1}, reason="bored")

    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize("role", ["Warehouse", "Clerk", "Finance"])
def test_roles_other_than_customer_service_cannot_open_returns(two_line_order, make_user, role):
    order = two_line_order()
    before = snapshot(order.pk)

    with pytest.raises(NotPermitted):
        open_return(make_user(role), order, {order.lines.first().pk: 1})

    assert snapshot(order.pk) == before
    assert not ReturnRequest.objects.exists()


def test_return_tickets_are_numbered_in_sequence_per_month(two_line_order, service_user):
    order = two_line_order()
    red, green = order.lines.order_by("pk")

    numbers = [open_return(service_user, order, {line.pk: 1}).number for line in (red, green, red)]

    assert numbers == ["RT260600001", "RT260600002", "RT260600003"]


def test_return_opened_early_on_the_first_of_the_month_in_shanghai_is_numbered_in_that_month(
    two_line_order, service_user
):
    order = two_line_order()
    # 07:00 on 1 July in Shanghai, as timezone.now() gives it (UTC).
    first_of_july = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)

    ticket = open_return(service_user, order, {order.lines.first().pk: 1}, at=first_of_july)

    assert ticket.number == "RT260700001"
