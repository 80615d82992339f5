"""The order timeline: every function here writes one OrderEvent row, in the
transaction of the change it records. Parameters are plain JSON; amounts are
stored as strings so that Decimals survive exactly."""

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from .models import OrderEvent, OrderEventType

# Parameters holding money or buyer contact details: hidden on the timeline
# from users who may not see them (orders.permissions).
MONEY_PARAMETERS = frozenset({"amount"})
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
    "ship_outside": OrderEventType.SHIPPED_OUTSIDE,
}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- changes made in batches (issue 3: imports) ----------------------------
# ``tagged(batch=7)``: every event recorded inside also carries batch=7, so a
# timeline says which import did it, whichever service wrote the event.
# ``deferred()``: events recorded inside are collected instead of saved, for a
# bulk service that inserts them together with the orders they belong to.
_tags: ContextVar[dict | None] = ContextVar("order_event_tags", default=None)
_deferred: ContextVar[list | None] = ContextVar("order_events_deferred", default=None)


@contextmanager
def tagged(**parameters):
    token = _tags.set({**(_tags.get() or {}), **{key: _plain(value) for key, value in parameters.items()}})
    try:
        yield
    finally:
        _tags.reset(token)


@contextmanager
def deferred():
    """Yields the list the events recorded inside are appended to (unsaved)."""
    collected: list[OrderEvent] = []
    token = _deferred.set(collected)
    try:
        yield collected
    finally:
        _deferred.reset(token)


def _record(*, order, type, actor, at, **parameters) -> OrderEvent:
    values = {
        "order": order,
        "type": type,
        "actor": actor,
        "created_at": at,
        "parameters": {**{key: _plain(value) for key, value in parameters.items()}, **(_tags.get() or {})},
    }
    collected = _deferred.get()
    if collected is None:
        return OrderEvent.objects.create(**values)
    event = _new_event(**values)
    collected.append(event)
    return event


def _new_event(**values) -> OrderEvent:
    """An unsaved OrderEvent, built fast for a bulk insert (orders.bulk_insert.Prototype)."""
    global _event_prototype
    if _event_prototype is None:
        from .bulk_insert import Prototype

        _event_prototype = Prototype(OrderEvent)
    return _event_prototype.new(**values)


_event_prototype = None


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


def refund_changed(*, order, actor, at, refund, type) -> OrderEvent:
    return _record(order=order, type=type, actor=actor, at=at, refund=refund.pk, amount=refund.amount, status=refund.status)


def invoice_changed(*, order, actor, at, invoice, type, **details) -> OrderEvent:
    return _record(
        order=order, type=type, actor=actor, at=at, invoice=str(invoice), amount=invoice.amount, **details
    )


def lines_mapped(*, order, actor, at, platform_sku_code: str, sku_code: str, lines: int) -> OrderEvent:
    return _record(
        order=order,
        type=OrderEventType.LINES_MAPPED,
        actor=actor,
        at=at,
        platform_sku_code=platform_sku_code,
        sku=sku_code,
        lines=lines,
    )
