"""After-sales fixtures: shipped orders with known amounts, and tickets
brought to any status through the real services."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aftersales import services as aftersales
from aftersales.models import ReturnReason, ReturnStatus, TicketKind
from finance import services as finance
from orders.models import OrderStatus
from orders.services import LineInput

S = OrderStatus
OPENED = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


@pytest.fixture
def two_line_order(order_in_status, skus):
    """3 × Red tea at 9.90 and 2 × Green tea at 19.90 (line discount 1.00):
    lines 29.70 + 38.80 = 68.50, order discount 5.00, shipping 6.00, tax 0 → paid 69.50."""

    def build(status=S.SHIPPED, **details):
        return order_in_status(
            status,
            lines=[
                LineInput(title="Red tea", quantity=3, unit_price=Decimal("9.90"), sku=skus[0]),
                LineInput(
                    title="Green tea", quantity=2, unit_price=Decimal("19.90"), discount_amount=Decimal("1.00"), sku=skus[1]
                ),
            ],
            goods_amount=Decimal("68.50"),
            discount_amount=Decimal("5.00"),
            shipping_amount=Decimal("6.00"),
            **details,
        )

    return build


@pytest.fixture
def ticket_in_status(two_line_order, service_user, warehouse_user, warehouse, finance_user):
    """ticket_in_status(status, kind=..., quantities={"Red tea": 2}) → a ticket brought
    there by customer service (approve, await, refund, replace, close), the warehouse
    (receive all units, inspect them all as sellable) and finance (approve and pay refunds)."""

    def build(status, *, kind=TicketKind.RETURN, quantities=None, order=None, reason=ReturnReason.DAMAGED):
        order = order or two_line_order()
        lines = {line.title: line for line in order.lines.all()}
        quantities = quantities or {"Red tea": 2}
        ticket = aftersales.return_open(
            actor=service_user,
            order_id=order.pk,
            kind=kind,
            reason=reason,
            quantities={lines[title].pk: units for title, units in quantities.items()},
            at=OPENED,
        )
        path = {
            TicketKind.RETURN: ["approve", "await_return", "receive", "inspect", "refund", "pay", "close"],
            TicketKind.EXCHANGE: ["approve", "await_return", "receive", "inspect", "exchange"],
            TicketKind.REFUND_ONLY: ["approve", "refund", "pay", "close"],
            TicketKind.RESHIP: ["approve", "reship"],
        }[kind]
        targets = {
            "approve": ReturnStatus.APPROVED,
            "await_return": ReturnStatus.AWAITING_RETURN,
            "receive": ReturnStatus.RECEIVED,
            "inspect": ReturnStatus.INSPECTED,
            "refund": ReturnStatus.REFUNDED,
            "pay": ReturnStatus.REFUNDED,
            "exchange": ReturnStatus.EXCHANGED,
            "reship": ReturnStatus.RESHIPPED,
            "close": ReturnStatus.CLOSED,
        }
        if status == ReturnStatus.REQUESTED:
            return ticket
        for step in path:
            run(step, ticket)
            if targets[step] == status and step != "refund":
                break
            if step == "refund" and status == ReturnStatus.REFUNDED:
                break
        return type(ticket).objects.get(pk=ticket.pk)

    def run(step, ticket):
        if step == "approve":
            aftersales.return_approve(actor=service_user, ticket_id=ticket.pk)
        elif step == "await_return":
            aftersales.return_await(actor=service_user, ticket_id=ticket.pk, carrier="SF", tracking_number="SF-BACK-1")
        elif step == "receive":
            aftersales.return_receive(
                actor=warehouse_user,
                ticket_id=ticket.pk,
                quantities={line.pk: line.quantity for line in ticket.lines.all()},
                warehouse_id=warehouse.pk,
            )
        elif step == "inspect":
            aftersales.return_inspect(
                actor=warehouse_user,
                ticket_id=ticket.pk,
                results={line.pk: (line.received_quantity, 0) for line in ticket.lines.all()},
                qc_reference="QC-0001",
            )
        elif step == "refund":
            aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)
        elif step == "pay":
            for refund in ticket.refunds.all():
                finance.refund_approve(actor=finance_user, refund_id=refund.pk)
                finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk)
        elif step == "exchange":
            aftersales.return_exchange(actor=service_user, ticket_id=ticket.pk)
        elif step == "reship":
            aftersales.return_reship(actor=service_user, ticket_id=ticket.pk)
        elif step == "close":
            aftersales.return_close(actor=service_user, ticket_id=ticket.pk)

    return build
