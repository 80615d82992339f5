"""The order timeline: every function here writes one OrderEvent row, in the
transaction of the change it records. Parameters are plain JSON; amounts are
stored as strings so that Decimals survive exactly."""

from decimal import Decimal

from .models import OrderEvent, OrderEventType

# Parameters holding money or buyer contact details: hidden on the timeline
# from users who may not see them (orders.permissions).
MONEY_PARAMETERS = frozenset({"amount", "exposure", "credit_limit"})
CONTACT_PARAMETERS = frozenset({"ship_phone"})

TRANSITION_EVENT_TYPES = {
    "mark_paid": OrderEventType.PAID,
    "approve": OrderEventType.APPROVED,
    "allocate": OrderEventType.ALLOCATED,
    "start_picking": OrderEventType.PICKING_STARTED,
    "pack": OrderEventType.PACKED,
    "ship": OrderEventType.SHIPPED,
    "confirm_delivery": OrderEventType.DELIVERED,
    "complete": OrderEventType.COMPLETED,
    "hold": OrderEventType.HELD,
    "release": OrderEventType.RELEASED,
    "cancel": OrderEventType.CANCELLED,
    "cancel_allocated": OrderEventType.CANCELLED,
    # issue 5: B2B payment terms and credit review
    "approve_on_terms": OrderEventType.APPROVED,
    "credit_hold": OrderEventType.CREDIT_HELD,
    "grant_credit": OrderEventType.CREDIT_GRANTED,
    "refuse_credit": OrderEventType.CREDIT_REFUSED,
}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def _record(*, order, type, actor, at, **parameters) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        type=type,
        actor=actor,
        created_at=at,
        parameters={key: _plain(value) for key, value in parameters.items()},
    )


def order_created(*, order, actor, at, source: str) -> OrderEvent:
    return _record(order=order, type=OrderEventType.CREATED, actor=actor, at=at, source=source, status=order.status)


def order_transitioned(*, order, actor, at, transition: str, source_status: str, **details) -> OrderEvent:
    return _record(
        order=order,
        type=TRANSITION_EVENT_TYPES[transition],
        actor=actor,
        at=at,
        **{"from": source_status, "to": order.status},
        **details,
    )


def stock_released(*, order, actor, at, quantities: dict[str, int]) -> OrderEvent:
    return _record(order=order, type=OrderEventType.STOCK_RELEASED, actor=actor, at=at, quantities=quantities)


def exception_flagged(*, order, actor, at) -> OrderEvent:
    return _record(
        order=order,
        type=OrderEventType.EXCEPTION_FLAGGED,
        actor=actor,
        at=at,
        reason=order.exception_reason,
        note=order.exception_note,
        owner=order.exception_owner.get_username() if order.exception_owner else "",
    )


def exception_resolved(*, order, actor, at, reason: str, resolution: str) -> OrderEvent:
    return _record(
        order=order, type=OrderEventType.EXCEPTION_RESOLVED, actor=actor, at=at, reason=reason, resolution=resolution
    )


def details_changed(*, order, actor, at, changes: dict[str, tuple]) -> OrderEvent:
    return _record(
        order=order,
        type=OrderEventType.DETAILS_CHANGED,
        actor=actor,
        at=at,
        changes={field: [_plain(old), _plain(new)] for field, (old, new) in changes.items()},
    )


def return_opened(*, order, actor, at, ticket) -> OrderEvent:
    return _record(
        order=order,
        type=OrderEventType.RETURN_OPENED,
        actor=actor,
        at=at,
        ticket=ticket.number,
        kind=ticket.kind,
        reason=ticket.reason,
    )


def refund_changed(*, order, actor, at, refund, type, **details) -> OrderEvent:
    return _record(
        order=order, type=type, actor=actor, at=at, refund=refund.pk, amount=refund.amount, status=refund.status, **details
    )


def invoice_changed(*, order, actor, at, invoice, type, **details) -> OrderEvent:
    return _record(
        order=order, type=type, actor=actor, at=at, invoice=str(invoice), amount=invoice.amount, **details
    )


# --- issue 5: money on account and after-sales tickets ----------------------------


def payment_received(*, order, actor, at, amount, method: str, reference: str) -> OrderEvent:
    return _record(
        order=order,
        type=OrderEventType.PAYMENT_RECEIVED,
        actor=actor,
        at=at,
        amount=amount,
        method=method,
        reference=reference,
    )


def ticket_changed(*, order, actor, at, ticket, type, **details) -> OrderEvent:
    """A step of an after-sales ticket, on its order's timeline. Details never carry
    money except under ``amount`` (hidden from roles that may not see amounts)."""
    return _record(order=order, type=type, actor=actor, at=at, ticket=ticket.number, **details)
