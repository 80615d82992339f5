"""A ticket's life: each kind follows its own path through the state machine,
each step is a service with its own permission, the warehouse receives and
inspects returned goods before they go back to stock through the ledger
(damaged units into quarantine), and everything is on the order's timeline."""

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales import services as aftersales
from aftersales import tasks as aftersales_tasks
from aftersales.models import (
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    TicketKind,
    TicketSLA,
)
from finance import services as finance
from finance.models import Refund, RefundStatus
from inventory.models import MovementKind, StockLevel, StockMovement
from orders import services as order_services
from core.errors import DomainError, NotPermitted
from orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from orders.selectors import order_timeline
from tests.flow import snapshot

from .conftest import OPENED

T = ReturnStatus


def fresh(ticket) -> ReturnRequest:
    return ReturnRequest.objects.get(pk=ticket.pk)


def stock(warehouse, sku) -> tuple[int, int, int]:
    level = StockLevel.objects.get(warehouse=warehouse, sku=sku)
    return level.on_hand, level.reserved, level.quarantined


def ticket_events(order) -> list[str]:
    return list(
        OrderEvent.objects.filter(order=order, type__startswith="return_").order_by("id").values_list("type", flat=True)
    )


# --- the return path, step by step --------------------------------------------------------------------


def test_a_return_goes_from_request_to_closed_with_goods_inspected_into_stock_and_money_back(
    ticket_in_status, service_user, warehouse_user, finance_user, warehouse, skus
):
    ticket = ticket_in_status(T.AWAITING_RETURN, quantities={"Red tea": 2, "Green tea": 1})
    red_line, green_line = ticket.lines.order_by("id")
    before_red, before_green = stock(warehouse, skus[0]), stock(warehouse, skus[1])

    aftersales.return_receive(
        actor=warehouse_user, ticket_id=ticket.pk, quantities={red_line.pk: 2, green_line.pk: 1}, warehouse_id=warehouse.pk
    )
    assert fresh(ticket).status == T.RECEIVED
    assert stock(warehouse, skus[0]) == before_red  # received is not yet restocked: inspection first

    aftersales.return_inspect(
        actor=warehouse_user,
        ticket_id=ticket.pk,
        results={red_line.pk: (1, 1), green_line.pk: (1, 0)},
        qc_reference="QC-20260616-07",
        qc_note="One red box crushed",
    )
    inspected = fresh(ticket)
    assert (inspected.status, inspected.qc_reference, inspected.inspected_by) == (T.INSPECTED, "QC-20260616-07", warehouse_user)
    # One red tea back on hand, one in quarantine; the green one back on hand.
    assert stock(warehouse, skus[0]) == (before_red[0] + 1, before_red[1], before_red[2] + 1)
    assert stock(warehouse, skus[1]) == (before_green[0] + 1, before_green[1], before_green[2])
    moves = StockMovement.objects.filter(reference=ticket.number).order_by("id")
    assert sorted((m.kind, m.stock_level.sku.code, m.on_hand_delta, m.quarantined_delta) for m in moves) == [
        (MovementKind.QUARANTINE, "TEA-1", 0, 1),
        (MovementKind.RETURN, "TEA-1", 1, 0),
        (MovementKind.RETURN, "TEA-2", 1, 0),
    ]

    aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)
    refund = Refund.objects.get(return_request=ticket)
    # Red: 27.53 paid for 3 units → 18.35 for 2; green: 35.97 for 2 → 17.99 (17.985 rounded half up) for 1.
    assert refund.amount == Decimal("36.34")
    assert sorted(refund.lines.values_list("order_line__title", "quantity", "amount")) == [
        ("Green tea", 1, Decimal("17.99")),
        ("Red tea", 2, Decimal("18.35")),
    ]
    with pytest.raises(DomainError, match="refund must be paid"):
        aftersales.return_close(actor=service_user, ticket_id=ticket.pk)

    finance.refund_approve(actor=finance_user, refund_id=refund.pk)
    finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk, reference="ALIPAY-RF-1")
    aftersales.return_close(actor=service_user, ticket_id=ticket.pk)

    assert fresh(ticket).status == T.CLOSED
    assert ticket_events(ticket.order) == [
        OrderEventType.RETURN_OPENED,
        OrderEventType.RETURN_APPROVED,
        OrderEventType.RETURN_AWAITED,
        OrderEventType.RETURN_RECEIVED,
        OrderEventType.RETURN_INSPECTED,
        OrderEventType.RETURN_REFUNDED,
        OrderEventType.RETURN_CLOSED,
    ]
    inspected_event = OrderEvent.objects.get(order=ticket.order, type=OrderEventType.RETURN_INSPECTED)
    assert inspected_event.actor == warehouse_user
    assert inspected_event.parameters == {
        "ticket": ticket.number,
        "qc_reference": "QC-20260616-07",
        "qc_note": "One red box crushed",
        "sellable": "TEA-1 × 1, TEA-2 × 1",
        "damaged": "TEA-1 × 1",
    }


def test_warehouse_sees_the_ticket_steps_on_the_timeline_without_the_refund_amount(
    ticket_in_status, warehouse_user, service_user
):
    ticket = ticket_in_status(T.REFUNDED)

    warehouse_view = " ".join(row["details"] for row in order_timeline(ticket.order, warehouse_user))
    service_view = " ".join(row["details"] for row in order_timeline(ticket.order, service_user))

    assert "QC-0001" in warehouse_view and ticket.number in warehouse_view
    assert "18.35" not in warehouse_view
    assert "18.35" in service_view


def test_fewer_units_may_arrive_than_were_claimed_and_only_those_are_refunded(
    ticket_in_status, warehouse_user, service_user, warehouse
):
    ticket = ticket_in_status(T.AWAITING_RETURN, quantities={"Red tea": 3})
    (line,) = ticket.lines.all()

    aftersales.return_receive(actor=warehouse_user, ticket_id=ticket.pk, quantities={line.pk: 1}, warehouse_id=warehouse.pk)
    aftersales.return_inspect(actor=warehouse_user, ticket_id=ticket.pk, results={line.pk: (1, 0)}, qc_reference="QC-9")
    aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)

    assert Refund.objects.get(return_request=ticket).amount == Decimal("9.18")  # one unit of 27.53 / 3


def test_more_units_than_the_ticket_claims_cannot_be_received(ticket_in_status, warehouse_user, warehouse):
    ticket = ticket_in_status(T.AWAITING_RETURN, quantities={"Red tea": 2})
    (line,) = ticket.lines.all()
    before = snapshot(ticket.order_id)

    with pytest.raises(DomainError, match="between 0 and 2"):
        aftersales.return_receive(actor=warehouse_user, ticket_id=ticket.pk, quantities={line.pk: 3}, warehouse_id=warehouse.pk)
    with pytest.raises(DomainError, match="Nothing received"):
        aftersales.return_receive(actor=warehouse_user, ticket_id=ticket.pk, quantities={line.pk: 0}, warehouse_id=warehouse.pk)

    assert snapshot(ticket.order_id) == before
    assert fresh(ticket).status == T.AWAITING_RETURN


@pytest.mark.parametrize(
    ("results", "qc_reference", "message"),
    [
        ((1, 0), "QC-1", "2 units were received"),  # one unit unaccounted for
        ((2, 1), "QC-1", "2 units were received"),  # one unit too many
        ((-1, 3), "QC-1", "2 units were received"),
        ((2, 0), "  ", "QC reference"),
    ],
)
def test_inspection_accounts_for_every_unit_received_and_needs_a_qc_reference(
    ticket_in_status, warehouse_user, results, qc_reference, message
):
    ticket = ticket_in_status(T.RECEIVED, quantities={"Red tea": 2})
    (line,) = ticket.lines.all()
    before = snapshot(ticket.order_id)

    with pytest.raises(DomainError, match=message):
        aftersales.return_inspect(actor=warehouse_user, ticket_id=ticket.pk, results={line.pk: results}, qc_reference=qc_reference)

    assert snapshot(ticket.order_id) == before
    assert fresh(ticket).status == T.RECEIVED
    assert fresh(ticket).lines.get().sellable_quantity == 0


def test_goods_come_back_to_the_warehouse_named_at_receipt(
    ticket_in_status, warehouse_user, second_warehouse, skus
):
    ticket = ticket_in_status(T.AWAITING_RETURN, quantities={"Red tea": 1})
    (line,) = ticket.lines.all()

    aftersales.return_receive(
        actor=warehouse_user, ticket_id=ticket.pk, quantities={line.pk: 1}, warehouse_id=second_warehouse.pk
    )
    aftersales.return_inspect(actor=warehouse_user, ticket_id=ticket.pk, results={line.pk: (0, 1)}, qc_reference="QC-2")

    assert stock(second_warehouse, skus[0]) == (0, 0, 1)  # damaged: quarantined, not on hand


# --- refund only, exchange, reship -----------------------------------------------------------------------


def test_a_refund_only_ticket_is_refunded_right_after_approval_without_goods_coming_back(
    ticket_in_status, service_user, finance_user
):
    ticket = ticket_in_status(T.APPROVED, kind=TicketKind.REFUND_ONLY, quantities={"Green tea": 2})
    movements = StockMovement.objects.count()

    with pytest.raises(DomainError, match="not possible while the ticket is Approved"):
        aftersales.return_receive(actor=service_user, ticket_id=ticket.pk, quantities={}, warehouse_id=None)
    aftersales.return_refund(actor=service_user, ticket_id=ticket.pk, amount=Decimal("10.00"), note="Agreed partial refund")

    refund = Refund.objects.get(return_request=ticket)
    assert refund.amount == Decimal("10.00")
    assert "Agreed partial refund" in refund.reason
    assert StockMovement.objects.count() == movements


@pytest.mark.parametrize("kind", [TicketKind.REFUND_ONLY, TicketKind.RETURN])
def test_a_ticket_closes_by_itself_once_finance_pays_its_refund(
    ticket_in_status, service_user, finance_user, django_capture_on_commit_callbacks, kind
):
    ticket = ticket_in_status(T.REFUNDED, kind=kind, quantities={"Green tea": 2})
    refund = Refund.objects.get(return_request=ticket)
    with django_capture_on_commit_callbacks(execute=True):
        finance.refund_approve(actor=finance_user, refund_id=refund.pk)
    assert fresh(ticket).status == T.REFUNDED  # approved is not paid

    with django_capture_on_commit_callbacks(execute=True):
        finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk, reference="ALIPAY-RF-2")

    closed = fresh(ticket)
    assert closed.status == T.CLOSED
    assert closed.closed_at == Refund.objects.get(pk=refund.pk).paid_at
    event = OrderEvent.objects.get(order=ticket.order, type=OrderEventType.RETURN_CLOSED)
    assert event.actor is None  # closed by the system, not by the finance user (who may not close tickets)
    assert aftersales_tasks.close_ticket_refund_paid(ticket.pk) == T.CLOSED  # again: nothing more happens
    assert OrderEvent.objects.filter(order=ticket.order, type=OrderEventType.RETURN_CLOSED).count() == 1


def test_an_exchange_sends_a_free_replacement_order_and_closes_once_it_has_shipped(
    ticket_in_status, service_user, warehouse_user, clerk, skus
):
    ticket = ticket_in_status(T.INSPECTED, kind=TicketKind.EXCHANGE, quantities={"Red tea": 1}, reason=ReturnReason.SIZE_FIT)
    (line,) = ticket.lines.all()

    aftersales.return_exchange(actor=service_user, ticket_id=ticket.pk, replacement_skus={line.pk: skus[2].pk})

    exchanged = fresh(ticket)
    replacement = exchanged.replacement_order
    assert exchanged.status == T.EXCHANGED
    assert (replacement.status, replacement.paid_amount, replacement.total_amount) == (
        OrderStatus.PAID,
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert list(replacement.lines.values_list("sku__code", "quantity", "unit_price")) == [("TEA-3", 1, Decimal("0.00"))]
    assert (replacement.ship_address, replacement.channel, replacement.customer) == (
        ticket.order.ship_address,
        ticket.order.channel,
        ticket.order.customer,
    )
    assert ticket.number in replacement.seller_memo and not replacement.payments.exists()
    assert fresh(ticket).lines.get().replacement_sku == skus[2]

    with pytest.raises(DomainError, match="replacement shipped"):
        aftersales.return_close(actor=service_user, ticket_id=ticket.pk)
    order_services.order_approve(actor=clerk, order_id=replacement.pk)
    order_services.order_allocate(actor=warehouse_user, order_id=replacement.pk)
    order_services.order_start_picking(actor=warehouse_user, order_id=replacement.pk)
    order_services.order_pack(actor=warehouse_user, order_id=replacement.pk)
    order_services.order_ship(actor=warehouse_user, order_id=replacement.pk, carrier="SF", tracking_number="SF-NEW-1")
    aftersales.return_close(actor=service_user, ticket_id=ticket.pk)

    assert fresh(ticket).status == T.CLOSED
    assert OrderEvent.objects.get(order=ticket.order, type=OrderEventType.RETURN_EXCHANGED).parameters == {
        "ticket": ticket.number,
        "replacement": replacement.number,
        "quantities": {"TEA-3": 1},
    }


def test_a_reship_sends_the_ticket_units_again_without_a_return(ticket_in_status, service_user):
    ticket = ticket_in_status(
        T.RESHIPPED, kind=TicketKind.RESHIP, quantities={"Green tea": 2}, reason=ReturnReason.LOST_IN_TRANSIT
    )

    replacement = fresh(ticket).replacement_order
    assert list(replacement.lines.values_list("title", "quantity")) == [("Green tea", 2)]
    assert replacement.status == OrderStatus.PAID


@pytest.mark.parametrize(
    ("kind", "status", "step"),
    [
        (TicketKind.REFUND_ONLY, T.APPROVED, "await_return"),
        (TicketKind.RESHIP, T.APPROVED, "await_return"),
        (TicketKind.RETURN, T.APPROVED, "refund"),
        (TicketKind.RETURN, T.APPROVED, "reship"),
        (TicketKind.RETURN, T.INSPECTED, "exchange"),
        (TicketKind.EXCHANGE, T.APPROVED, "refund"),
    ],
)
def test_a_step_that_does_not_belong_to_the_tickets_kind_is_refused(ticket_in_status, service_user, kind, status, step):
    ticket = ticket_in_status(status, kind=kind)
    before = snapshot(ticket.order_id)
    call = {
        "await_return": lambda: aftersales.return_await(actor=service_user, ticket_id=ticket.pk),
        "refund": lambda: aftersales.return_refund(actor=service_user, ticket_id=ticket.pk),
        "reship": lambda: aftersales.return_reship(actor=service_user, ticket_id=ticket.pk),
        "exchange": lambda: aftersales.return_exchange(actor=service_user, ticket_id=ticket.pk),
    }[step]

    with pytest.raises(DomainError):
        call()

    assert snapshot(ticket.order_id) == before
    assert fresh(ticket).status == status


# --- rejecting, cancelling, closing without refund ------------------------------------------------------------


def test_a_rejected_or_cancelled_ticket_gives_its_units_back_to_be_claimed_again(ticket_in_status, service_user):
    rejected = ticket_in_status(T.REQUESTED, quantities={"Red tea": 3})
    aftersales.return_reject(actor=service_user, ticket_id=rejected.pk, reason="Outside the 7-day window")
    cancelled = ticket_in_status(T.AWAITING_RETURN, order=rejected.order, quantities={"Red tea": 3})
    aftersales.return_cancel(actor=service_user, ticket_id=cancelled.pk, reason="Buyer kept the goods")

    again = ticket_in_status(T.REQUESTED, order=rejected.order, quantities={"Red tea": 3})

    assert (fresh(rejected).status, fresh(rejected).resolution) == (T.REJECTED, "Outside the 7-day window")
    assert (fresh(cancelled).status, fresh(cancelled).resolution) == (T.CANCELLED, "Buyer kept the goods")
    assert again.status == T.REQUESTED


@pytest.mark.parametrize("step", ["reject", "cancel"])
def test_rejecting_or_cancelling_needs_a_reason(ticket_in_status, service_user, step):
    ticket = ticket_in_status(T.REQUESTED)
    service = {"reject": aftersales.return_reject, "cancel": aftersales.return_cancel}[step]

    with pytest.raises(DomainError, match="Say why"):
        service(actor=service_user, ticket_id=ticket.pk, reason=" ")

    assert fresh(ticket).status == T.REQUESTED


def test_goods_already_received_cannot_be_cancelled_away(ticket_in_status, service_user):
    ticket = ticket_in_status(T.RECEIVED)

    with pytest.raises(DomainError, match="not possible while the ticket is Received"):
        aftersales.return_cancel(actor=service_user, ticket_id=ticket.pk, reason="Changed our mind")


def test_an_inspected_return_closes_without_refund_only_with_a_resolution(ticket_in_status, service_user):
    ticket = ticket_in_status(T.INSPECTED)

    with pytest.raises(DomainError, match="say how it was resolved"):
        aftersales.return_close(actor=service_user, ticket_id=ticket.pk)
    aftersales.return_close(actor=service_user, ticket_id=ticket.pk, resolution="Buyer damage; goods sent back to buyer")

    assert (fresh(ticket).status, fresh(ticket).resolution) == (T.CLOSED, "Buyer damage; goods sent back to buyer")


# --- who may take which step ---------------------------------------------------------------------------------

ROLES = ("Clerk", "Warehouse", "Customer service", "Finance", "Supervisor")
# step: (status it starts from, kind, roles that may take it)
STEPS = {
    "approve": (T.REQUESTED, TicketKind.RETURN, {"Customer service", "Supervisor"}),
    "reject": (T.REQUESTED, TicketKind.RETURN, {"Customer service", "Supervisor"}),
    "cancel": (T.APPROVED, TicketKind.RETURN, {"Customer service", "Supervisor"}),
    "await_return": (T.APPROVED, TicketKind.RETURN, {"Customer service", "Supervisor"}),
    "receive": (T.AWAITING_RETURN, TicketKind.RETURN, {"Warehouse", "Supervisor"}),
    "inspect": (T.RECEIVED, TicketKind.RETURN, {"Warehouse", "Supervisor"}),
    "refund": (T.INSPECTED, TicketKind.RETURN, {"Customer service", "Supervisor"}),
    "exchange": (T.INSPECTED, TicketKind.EXCHANGE, {"Customer service", "Supervisor"}),
    "reship": (T.APPROVED, TicketKind.RESHIP, {"Customer service", "Supervisor"}),
    "close": (T.INSPECTED, TicketKind.RETURN, {"Customer service", "Supervisor"}),
    "assign": (T.APPROVED, TicketKind.RETURN, {"Customer service", "Supervisor"}),
}


def take_step(step, actor, ticket, warehouse, colleague):
    line = ticket.lines.get()
    return {
        "approve": lambda: aftersales.return_approve(actor=actor, ticket_id=ticket.pk),
        "reject": lambda: aftersales.return_reject(actor=actor, ticket_id=ticket.pk, reason="No"),
        "cancel": lambda: aftersales.return_cancel(actor=actor, ticket_id=ticket.pk, reason="Withdrawn"),
        "await_return": lambda: aftersales.return_await(actor=actor, ticket_id=ticket.pk),
        "receive": lambda: aftersales.return_receive(
            actor=actor, ticket_id=ticket.pk, quantities={line.pk: line.quantity}, warehouse_id=warehouse.pk
        ),
        "inspect": lambda: aftersales.return_inspect(
            actor=actor, ticket_id=ticket.pk, results={line.pk: (line.received_quantity, 0)}, qc_reference="QC"
        ),
        "refund": lambda: aftersales.return_refund(actor=actor, ticket_id=ticket.pk),
        "exchange": lambda: aftersales.return_exchange(actor=actor, ticket_id=ticket.pk),
        "reship": lambda: aftersales.return_reship(actor=actor, ticket_id=ticket.pk),
        "close": lambda: aftersales.return_close(actor=actor, ticket_id=ticket.pk, resolution="Kept by buyer"),
        "assign": lambda: aftersales.return_assign(actor=actor, ticket_id=ticket.pk, owner_id=colleague.pk),
    }[step]()


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("role", ROLES)
def test_each_step_is_taken_by_exactly_the_roles_that_hold_its_permission(
    ticket_in_status, make_user, warehouse, step, role
):
    status, kind, allowed = STEPS[step]
    ticket = ticket_in_status(status, kind=kind)
    actor, colleague = make_user(role), make_user("Customer service")
    before = snapshot(ticket.order_id)

    if role in allowed:
        take_step(step, actor, ticket, warehouse, colleague)
        assert snapshot(ticket.order_id) != before
    else:
        with pytest.raises(NotPermitted):
            take_step(step, actor, ticket, warehouse, colleague)
        assert snapshot(ticket.order_id) == before
        assert fresh(ticket).status == status


# --- owner and due time --------------------------------------------------------------------------------------------


def test_a_ticket_is_owned_by_its_opener_and_due_when_its_kinds_sla_says(ticket_in_status, service_user):
    TicketSLA.objects.filter(kind=TicketKind.REFUND_ONLY).update(hours=24)

    refund_only = ticket_in_status(T.REQUESTED, kind=TicketKind.REFUND_ONLY)
    ret = ticket_in_status(T.REQUESTED, kind=TicketKind.RETURN)

    assert (refund_only.owner, refund_only.created_at, refund_only.due_at) == (service_user, OPENED, OPENED + timedelta(hours=24))
    assert ret.due_at == OPENED + timedelta(days=7)


def test_overdue_tickets_are_the_open_ones_past_their_due_time(ticket_in_status, service_user):
    late = ticket_in_status(T.APPROVED)
    closed = ticket_in_status(T.CLOSED)
    now = OPENED + timedelta(days=8)

    assert list(ReturnRequest.objects.overdue(now)) == [late]
    assert late.is_overdue(now) and not closed.is_overdue(now)
    assert not late.is_overdue(OPENED + timedelta(days=6))


def test_a_ticket_is_handed_to_another_owner_on_the_timeline(ticket_in_status, service_user, make_user):
    colleague = make_user("Customer service", username="li.na")
    ticket = ticket_in_status(T.APPROVED)

    aftersales.return_assign(actor=service_user, ticket_id=ticket.pk, owner_id=colleague.pk)

    assert fresh(ticket).owner == colleague
    assert OrderEvent.objects.get(order=ticket.order, type=OrderEventType.RETURN_ASSIGNED).parameters == {
        "ticket": ticket.number,
        "to_owner": "li.na",
    }


def test_replacement_orders_are_not_returnable_money(ticket_in_status):
    ticket = ticket_in_status(T.RESHIPPED, kind=TicketKind.RESHIP, quantities={"Red tea": 1})

    assert finance.refundable_amount(fresh(ticket).replacement_order) == Decimal("0.00")
    assert Order.objects.filter(pk=fresh(ticket).replacement_order_id, paid_amount=0).exists()


def test_a_failed_ticket_refund_can_be_requested_again(ticket_in_status, service_user, finance_user):
    ticket = ticket_in_status(T.REFUNDED)
    refund = Refund.objects.get(return_request=ticket)

    with pytest.raises(DomainError, match="refund that has not failed"):
        aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)
    finance.refund_fail(actor=finance_user, refund_id=refund.pk, reason="Buyer's card closed")
    aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)

    assert list(Refund.objects.filter(return_request=ticket).order_by("id").values_list("status", "amount")) == [
        (RefundStatus.FAILED, Decimal("18.35")),
        (RefundStatus.REQUESTED, Decimal("18.35")),
    ]


# --- a refund never exceeds what was paid for the units ---------------------------------------------------------


def test_a_refund_above_what_was_paid_for_the_units_is_refused(ticket_in_status, service_user):
    ticket = ticket_in_status(T.INSPECTED, quantities={"Red tea": 2})  # 2 of 3 units of a line paid 27.53
    before = snapshot(ticket.order_id)

    for amount in ("18.36", "0.00", "-1.00", "1.005"):
        with pytest.raises(DomainError, match=r"at most 18\.35"):
            aftersales.return_refund(actor=service_user, ticket_id=ticket.pk, amount=Decimal(amount))

    assert snapshot(ticket.order_id) == before


def test_partial_returns_of_one_line_add_up_to_exactly_what_was_paid_for_it(ticket_in_status, two_line_order, service_user):
    order = two_line_order()
    first = ticket_in_status(T.REFUNDED, order=order, quantities={"Red tea": 1})
    second = ticket_in_status(T.REFUNDED, order=order, quantities={"Red tea": 2})

    amounts = [Refund.objects.get(return_request=ticket).amount for ticket in (first, second)]

    # 27.53 paid for the line: 9.18 for the first unit (9.1766… rounded half up), the rest for the last two.
    assert amounts == [Decimal("9.18"), Decimal("18.35")]
    assert sum(amounts) == Decimal("27.53")
    with pytest.raises(DomainError, match="only 0 of 3"):
        ticket_in_status(T.REQUESTED, order=order, quantities={"Red tea": 1})


def test_a_ticket_refund_never_exceeds_what_the_order_can_still_refund(ticket_in_status, two_line_order, service_user):
    from django.db import transaction

    from orders import locks

    order = two_line_order()
    with transaction.atomic():  # a goodwill refund of most of the order, outside any ticket
        finance.refund_request(order=locks.order_for_update(order.pk), actor=None, amount=Decimal("60.00"), reason="Goodwill")
    ticket = ticket_in_status(T.INSPECTED, order=order, quantities={"Green tea": 2})

    aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)

    assert Refund.objects.get(return_request=ticket).amount == Decimal("9.50")  # 69.50 paid − 60.00, not 35.97
