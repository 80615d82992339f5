"""Order services: the only code that changes an order.

Each service runs in one transaction, locks the order first (then its lines,
then stock, then finance rows), checks the permission the transition declares,
writes the timeline event and schedules side effects after commit.

``actor`` is the user who asked; ``None`` means the system itself (a scheduled
job), which is not subject to role permissions. ``at`` is when it happened:
now, unless an import or the demo replays a platform's own timestamps.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from finance import services as finance_services
from finance.models import PaymentMethod
from inventory import selectors as stock_selectors
from inventory import locks as stock_locks
from inventory import services as stock_services
from inventory.models import SKU, SKUAlias

from . import events, locks
from .background import enqueue_on_commit
from .errors import DomainError, NotPermitted
from .models import (
    CENT,
    ZERO,
    Channel,
    ExceptionNotification,
    ExceptionReason,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from .numbering import take_numbers
from .selectors import unmet_conditions

ACTION_LABELS = {
    "mark_paid": gettext_lazy("Mark paid"),
    "approve": gettext_lazy("Approve"),
    "allocate": gettext_lazy("Allocate stock"),
    "start_picking": gettext_lazy("Start picking"),
    "pack": gettext_lazy("Mark packed"),
    "ship": gettext_lazy("Ship"),
    "confirm_delivery": gettext_lazy("Confirm delivery"),
    "complete": gettext_lazy("Complete"),
    "hold": gettext_lazy("Hold"),
    "release": gettext_lazy("Release hold"),
    "cancel": gettext_lazy("Cancel"),
    "cancel_allocated": gettext_lazy("Cancel and release stock"),
}

# Fields a clerk may correct on the change page, through order_update_details.
EDITABLE_FIELDS = (
    "ship_name",
    "ship_phone",
    "ship_country",
    "ship_province",
    "ship_city",
    "ship_district",
    "ship_address",
    "ship_postcode",
    "priority",
    "promised_ship_by",
    "seller_memo",
    "warehouse",
    "customer",
)
SHIP_TO_FIELDS = tuple(field for field in EDITABLE_FIELDS if field.startswith("ship_"))
# Once an order has left (or will never leave) the warehouse, where it goes is history.
ADDRESS_FINAL_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.CANCELLED)


@dataclass(frozen=True)
class LineInput:
    title: str
    quantity: int
    unit_price: Decimal = ZERO
    discount_amount: Decimal = ZERO
    sku: SKU | None = None
    platform_sku_code: str = ""


# --- internal steps shared by the transition services ---------------------


def _require_perm(actor, permission: str, message: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise NotPermitted(message)


def _check_transition_allowed(order: Order, name: str, actor, *, check_permission: bool = True) -> None:
    """State and role: may this actor run this transition on the order as it is now?"""
    method = getattr(order, name)
    params = {"order": order.number, "action": ACTION_LABELS[name], "status": order.get_status_display()}
    if not can_proceed(method, check_conditions=False):
        raise DomainError(_("%(order)s: “%(action)s” is not possible while the order is %(status)s.") % params)
    if check_permission and actor is not None and not method._django_fsm.has_transition_perm(order, order.status, actor):
        raise NotPermitted(_("%(order)s: your role may not “%(action)s”.") % params)


def _transition(
    order: Order, name: str, *, actor, at, method_kwargs=None, event_details=None, check_permission=True
) -> Order:
    _check_transition_allowed(order, name, actor, check_permission=check_permission)
    failed = unmet_conditions(order, name)
    if failed:
        raise DomainError(
            _("%(order)s: “%(action)s” is not possible: %(reasons)s")
            % {"order": order.number, "action": ACTION_LABELS[name], "reasons": " ".join(failed)}
        )
    source_status = order.status
    getattr(order, name)(**(method_kwargs or {}))
    order.save()
    events.order_transitioned(
        order=order, actor=actor, at=at, transition=name, source_status=source_status, **(event_details or {})
    )
    return order


def _now(at):
    return at or timezone.now()


# --- creating orders -------------------------------------------------------------


def _next_order_numbers(count: int) -> list[str]:
    day = timezone.localdate().strftime("%y%m%d")
    return [f"SO{day}{value:06d}" for value in take_numbers(f"order:{day}", count)]


def _resolve_sku(channel: Channel, line: LineInput) -> SKU | None:
    if line.sku is not None or not line.platform_sku_code:
        return line.sku
    alias = SKUAlias.objects.select_related("sku").filter(channel=channel, platform_sku_code=line.platform_sku_code).first()
    if alias:
        return alias.sku
    return SKU.objects.filter(code=line.platform_sku_code).first()


@transaction.atomic
def order_create(
    *,
    actor,
    channel: Channel,
    lines: Iterable[LineInput],
    placed_at,
    platform_order_id: str = "",
    source: str = "manual",
    paid_at=None,
    payment_method: str = PaymentMethod.PLATFORM,
    **details,
) -> Order:
    """Record an order as the platform gives it; a paid order is marked paid at once.

    ``details`` are the Order's own fields (ship-to, amounts, customer, ...).
    Lines whose SKU cannot be resolved leave the order with the exception
    "unknown SKU", so that it cannot be approved until they are mapped.
    """
    _require_perm(actor, "orders.add_order", _("Your role may not create orders."))
    lines = list(lines)
    if not lines:
        raise DomainError(_("An order needs at least one line."))
    if platform_order_id and Order.objects.filter(channel=channel, platform_order_id=platform_order_id).exists():
        raise DomainError(
            _("Channel %(channel)s already has an order %(id)s.") % {"channel": channel, "id": platform_order_id}
        )
    details.setdefault("currency", channel.default_currency)
    details.setdefault("goods_amount", sum((line.unit_price * line.quantity for line in lines), ZERO))
    order = Order.objects.create(
        number=_next_order_numbers(1)[0],
        channel=channel,
        platform_order_id=platform_order_id,
        placed_at=placed_at,
        **details,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=_resolve_sku(channel, line),
            platform_sku_code=line.platform_sku_code,
            title=line.title,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_amount=line.discount_amount,
        )
        for line in lines
    )
    events.order_created(order=order, actor=actor, at=placed_at, source=source)
    unmapped = [line.platform_sku_code or line.title for line in order.lines.filter(sku__isnull=True)]
    if unmapped:
        _flag_exception(order, actor=actor, at=placed_at, reason=ExceptionReason.UNKNOWN_SKU, note=", ".join(unmapped))
    if paid_at is not None:
        # The platform already took the money: a fact we record, not a clerk's decision.
        _mark_paid(
            order, actor=actor, at=paid_at, amount=order.total_amount, method=payment_method, reference="", check_permission=False
        )
    return order


# --- lifecycle ------------------------------------------------------------------------


def _mark_paid(
    order: Order, *, actor, at, amount: Decimal, method: str, reference: str, check_permission: bool = True
) -> Order:
    if amount <= 0:
        raise DomainError(_("%(order)s: a payment must be more than zero.") % {"order": order.number})
    if amount != amount.quantize(CENT):
        raise DomainError(
            _("%(order)s: a payment is recorded to the cent; %(amount)s has fractions of a cent.")
            % {"order": order.number, "amount": amount}
        )
    amount = amount.quantize(CENT)
    _transition(
        order,
        "mark_paid",
        actor=actor,
        at=at,
        method_kwargs={"at": at, "amount": amount},
        event_details={"amount": amount, "method": method},
        check_permission=check_permission,
    )
    finance_services.payment_record(order=order, actor=actor, amount=amount, method=method, reference=reference, at=at)
    return order


@transaction.atomic
def order_mark_paid(
    *, actor, order_id: int, amount: Decimal | None = None, method: str = PaymentMethod.BANK_TRANSFER, reference="", at=None
) -> Order:
    """A payment arrived outside the platform (B2B transfer, manual order)."""
    order = locks.order_for_update(order_id)
    return _mark_paid(
        order,
        actor=actor,
        at=_now(at),
        amount=order.total_amount if amount is None else amount,
        method=method,
        reference=reference,
    )


def _simple_transition(name: str):
    """A service for a transition that needs nothing but the order and a time."""

    @transaction.atomic
    def service(*, actor, order_id: int, at=None) -> Order:
        at = _now(at)
        order = locks.order_for_update(order_id)
        return _transition(order, name, actor=actor, at=at, method_kwargs={"at": at})

    service.__name__ = service.__qualname__ = f"order_{name}"
    service.__doc__ = f"Run the “{name}” transition on one order."
    return service


order_approve = _simple_transition("approve")
order_start_picking = _simple_transition("start_picking")
order_pack = _simple_transition("pack")
order_confirm_delivery = _simple_transition("confirm_delivery")
order_complete = _simple_transition("complete")


@transaction.atomic
def order_allocate(*, actor, order_id: int, warehouse_id: int | None = None, at=None) -> Order:
    """Reserve the order's stock in one warehouse.

    Without ``warehouse_id`` the assigned warehouse is used, or else the best
    one that can ship the whole order (inventory.selectors.warehouse_for_order).
    """
    at = _now(at)
    order = locks.order_for_update(order_id)
    _check_transition_allowed(order, "allocate", actor)
    lines = locks.order_lines_for_update(order)
    warehouse_id = warehouse_id or order.warehouse_id
    if warehouse_id is None:
        warehouse = stock_selectors.warehouse_for_order(order, lines)
        if warehouse is None:
            raise stock_services.InsufficientStock(
                order, stock_selectors.stock_shortages_in_any_warehouse(lines), anywhere=True
            )
        warehouse_id = warehouse.pk
    order.warehouse_id = warehouse_id
    # Stock rows are locked before the shortage check and the transition's stock condition read them.
    stock_locks.stock_levels_for_order_update(order=order, lines=lines)
    shortages = stock_selectors.stock_shortages_for_order(order, warehouse_id, lines)
    if shortages:
        raise stock_services.InsufficientStock(order, shortages)
    resolved_exception = order.exception_reason
    _transition(
        order,
        "allocate",
        actor=actor,
        at=at,
        method_kwargs={"at": at},
        event_details={"warehouse": order.warehouse.code, "quantities": stock_selectors.quantities_by_sku_code(lines)},
    )
    stock_services.stock_reserve_for_order(order=order, lines=lines, actor=actor, at=at)
    if resolved_exception:  # only "out of stock" gets past the transition's conditions
        _resolve_exception(order, actor=actor, at=at, resolution=_("Stock allocated."))
    return order


@transaction.atomic
def order_ship(*, actor, order_id: int, carrier: str, tracking_number: str, at=None) -> Order:
    at = _now(at)
    order = locks.order_for_update(order_id)
    _check_transition_allowed(order, "ship", actor)
    order.carrier, order.tracking_number = carrier.strip(), tracking_number.strip()
    _transition(
        order,
        "ship",
        actor=actor,
        at=at,
        method_kwargs={"at": at},
        event_details={"carrier": order.carrier, "tracking_number": order.tracking_number},
    )
    stock_services.stock_ship_for_order(order=order, actor=actor, at=at)
    return order


def _require_reason(reason: str, order: Order) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("%(order)s: a reason is required.") % {"order": order.number})
    return reason


@transaction.atomic
def order_hold(*, actor, order_id: int, reason: str, at=None) -> Order:
    order = locks.order_for_update(order_id)
    reason = _require_reason(reason, order)
    return _transition(
        order, "hold", actor=actor, at=_now(at), method_kwargs={"reason": reason}, event_details={"reason": reason}
    )


@transaction.atomic
def order_release(*, actor, order_id: int, at=None) -> Order:
    order = locks.order_for_update(order_id)
    return _transition(order, "release", actor=actor, at=_now(at))


@transaction.atomic
def order_cancel(*, actor, order_id: int, reason: str, at=None) -> Order:
    """Cancel before shipment: reserved stock goes back, money paid is queued for refund.

    Once stock is reserved, cancelling needs the stronger permission
    ``orders.cancel_allocated_order`` (Supervisor): the warehouse may already
    be working on the order.
    """
    at = _now(at)
    order = locks.order_for_update(order_id)
    reason = _require_reason(reason, order)
    had_reservation = order.has_stock_reserved()
    name = "cancel_allocated" if had_reservation else "cancel"
    _transition(
        order, name, actor=actor, at=at, method_kwargs={"at": at, "reason": reason}, event_details={"reason": reason}
    )
    if had_reservation:
        released = stock_services.stock_release_for_order(order=order, actor=actor, at=at)
        events.stock_released(order=order, actor=actor, at=at, quantities=released)
    refundable = finance_services.refundable_amount(order)
    if refundable > 0:
        finance_services.refund_request(
            order=order, actor=actor, amount=refundable, reason=_("Order cancelled: %(reason)s") % {"reason": reason}, at=at
        )
    return order


# --- exceptions ----------------------------------------------------------------------


def _flag_exception(order: Order, *, actor, at, reason: str, note: str = "", owner=None) -> OrderEvent:
    if order.exception_reason:
        raise DomainError(
            _("%(order)s already has an open exception (%(reason)s); resolve it first.")
            % {"order": order.number, "reason": order.get_exception_reason_display()}
        )
    if reason not in ExceptionReason.values:
        raise DomainError(_("Unknown exception reason: %(reason)s") % {"reason": reason})
    order.exception_reason, order.exception_note, order.exception_owner = reason, note.strip(), owner
    order.exception_raised_at = at
    order.save(update_fields=["exception_reason", "exception_note", "exception_owner", "exception_raised_at", "updated_at"])
    event = events.exception_flagged(order=order, actor=actor, at=at)
    if owner is not None and owner != actor:
        enqueue_on_commit("orders.tasks.notify_exception_owner", event.pk)
    return event


def _resolve_exception(order: Order, *, actor, at, resolution: str) -> None:
    reason = order.exception_reason
    order.exception_reason, order.exception_note, order.exception_owner, order.exception_raised_at = "", "", None, None
    order.save(update_fields=["exception_reason", "exception_note", "exception_owner", "exception_raised_at", "updated_at"])
    events.exception_resolved(order=order, actor=actor, at=at, reason=reason, resolution=resolution)


@transaction.atomic
def order_flag_exception(*, actor, order_id: int, reason: str, note: str = "", owner=None, at=None) -> Order:
    order = locks.order_for_update(order_id)
    _require_perm(actor, "orders.flag_exception", _("Your role may not flag exceptions."))
    if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        raise DomainError(_("%(order)s is closed; it cannot get an exception.") % {"order": order.number})
    _flag_exception(order, actor=actor, at=_now(at), reason=reason, note=note, owner=owner)
    return order


@transaction.atomic
def order_resolve_exception(*, actor, order_id: int, resolution: str, at=None) -> Order:
    order = locks.order_for_update(order_id)
    _require_perm(actor, "orders.resolve_exception", _("Your role may not resolve exceptions."))
    if not order.exception_reason:
        raise DomainError(_("%(order)s has no open exception.") % {"order": order.number})
    _resolve_exception(order, actor=actor, at=_now(at), resolution=_require_reason(resolution, order))
    return order


@transaction.atomic
def exception_owner_notify(*, event_id: int) -> bool:
    """Tell an exception's owner by e-mail, once, however often the task runs."""
    event = OrderEvent.objects.select_related("order__exception_owner").get(pk=event_id)
    owner = event.order.exception_owner
    if owner is None or owner.get_username() != event.parameters.get("owner"):
        return False  # resolved or handed on since: the new owner was told by their own event
    __, created = ExceptionNotification.objects.get_or_create(event=event, defaults={"recipient": owner})
    if created and owner.email:
        order = event.order
        send_mail(
            _("Order %(order)s needs you: %(reason)s")
            % {"order": order.number, "reason": order.get_exception_reason_display()},
            _("Order %(order)s has the exception “%(reason)s” and you own it.\n\n%(note)s")
            % {"order": order.number, "reason": order.get_exception_reason_display(), "note": order.exception_note},
            None,
            [owner.email],
        )
    return created


# --- corrections ---------------------------------------------------------------------------------


def order_editable_fields(order: Order) -> set[str]:
    """Which of EDITABLE_FIELDS may be corrected on this order now."""
    fields = set(EDITABLE_FIELDS)
    if order.status in ADDRESS_FINAL_STATUSES:
        fields -= {*SHIP_TO_FIELDS, "warehouse"}
    if order.has_stock_reserved():
        fields.discard("warehouse")
    return fields


def order_details_problems(order: Order, changes: dict) -> list[str]:
    """Why these corrections cannot be made to the order as it is (empty: they can)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        return [_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}]
    changed = {field for field, value in changes.items() if getattr(order, field) != value}
    refused = changed - order_editable_fields(order)
    problems = []
    if refused & {*SHIP_TO_FIELDS, "warehouse"} and order.status in ADDRESS_FINAL_STATUSES:
        problems.append(
            _("%(order)s has left the warehouse or is cancelled; its address and warehouse can no longer change.")
            % {"order": order.number}
        )
    elif "warehouse" in refused:
        problems.append(
            _("%(order)s has stock reserved in %(warehouse)s; cancel the allocation before moving it.")
            % {"order": order.number, "warehouse": order.warehouse}
        )
    return problems


@transaction.atomic
def order_update_details(*, actor, order_id: int, changes: dict, at=None) -> Order:
    """Correct the ship-to address, priority, memo, customer or warehouse."""
    order = locks.order_for_update(order_id)
    _require_perm(actor, "orders.change_order", _("Your role may not change orders."))
    problems = order_details_problems(order, changes)
    if problems:
        raise DomainError(" ".join(problems))
    before = {field: getattr(order, field) for field in changes}
    changed = {field: value for field, value in changes.items() if before[field] != value}
    if not changed:
        return order
    for field, value in changed.items():
        setattr(order, field, value)
    order.save(update_fields=[*changed, "updated_at"])
    events.details_changed(
        order=order,
        actor=actor,
        at=_now(at),
        changes={field: (str(before[field] or ""), str(value or "")) for field, value in changed.items()},
    )
    return order
