"""The order timeline: every function here writes one OrderEvent row, in the
transaction of the change it records. Parameters are plain JSON; amounts are
stored as strings so that Decimals survive exactly."""

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from core.bulk_insert import Prototype

from .models import OrderEvent, OrderEventType

# Parameters holding money or buyer contact details: hidden on the timeline
# from users who may not see them (orders.permissions).
MONEY_PARAMETERS = frozenset({"amount", "exposure", "credit_limit"})
CONTACT_PARAMETERS = frozenset({"ship_phone"})

TRANSITION_EVENT_TYPES = {
    "mark_paid": OrderEventType.PAID,
    "approve": OrderEventType.APPROVED,
    "allocate": OrderEventType.ALLOCATED,
    "deallocate": OrderEventType.DEALLOCATED,
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
    # issue 3: imports
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
# bulk service that inserts them together with the (new) orders they belong to.
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


@contextmanager
def recorded_in_bulk():
    """Events recorded inside are written in one INSERT when the block ends
    (the batch allocation writes hundreds); outside, each is written at once."""
    with deferred() as rows:
        yield
        OrderEvent.objects.bulk_create(rows)


def _new_event(**values) -> OrderEvent:
    """An unsaved OrderEvent, built fast for a bulk insert (core.bulk_insert.Prototype)."""
    global _event_prototype
    if _event_prototype is None:
        _event_prototype = Prototype(OrderEvent)
    return _event_prototype.new(**values)


_event_prototype = None


def _record(*, order, type, actor, at, **parameters) -> OrderEvent:
    values = {
        "order": order,
        "type": type,
        "actor": actor,
        "created_at": at,
        "parameters": {**{key: _plain(value) for key, value in parameters.items()}, **(_tags.get() or {})},
    }
    collected = _deferred.get()
    if collected is not None:
        event = _new_event(**values)
        collected.append(event)
        return event
    event = OrderEvent(**values)
    event.save(force_insert=True)
    return event


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


# --- merge, split and waves (issue 4) ---------------------------------------------------


def order_merged(*, order, actor, at, ships_with: str, orders: list[str]) -> OrderEvent:
    """``ships_with``: the order the parcel goes out under; ``orders``: all orders in it."""
    return _record(order=order, type=OrderEventType.MERGED, actor=actor, at=at, ships_with=ships_with, orders=orders)


def order_unmerged(*, order, actor, at, ships_with: str) -> OrderEvent:
    return _record(order=order, type=OrderEventType.UNMERGED, actor=actor, at=at, ships_with=ships_with)


def order_split(*, order, actor, at, parent: str, child: str, quantities: dict[str, int]) -> OrderEvent:
    return _record(
        order=order, type=OrderEventType.SPLIT, actor=actor, at=at, parent=parent, child=child, quantities=quantities
    )


def split_undone(*, order, actor, at, parent: str, child: str) -> OrderEvent:
    return _record(order=order, type=OrderEventType.SPLIT_UNDONE, actor=actor, at=at, parent=parent, child=child)


def wave_assigned(*, order, actor, at, wave: str) -> OrderEvent:
    return _record(order=order, type=OrderEventType.WAVE_ASSIGNED, actor=actor, at=at, wave=wave)
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
