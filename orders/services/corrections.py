"""Corrections a clerk makes to an order's details."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import events, locks
from core.errors import DomainError, require_permission
from ..models import (
    SHIP_TO_FIELDS,
    Order,
    OrderStatus,
)
from .transitions import _now

# Fields a clerk may correct on the change page, through order_update_details.
EDITABLE_FIELDS = (
    *SHIP_TO_FIELDS,
    "priority",
    "promised_ship_by",
    "seller_memo",
    "warehouse",
    "customer",
    "carrier",  # issue 4: chosen ahead (the buyer asked for SF, say); the warehouse queue filters by it
)
# Once an order has left (or will never leave) the warehouse, where it goes is history.
ADDRESS_FINAL_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.CANCELLED)


def order_editable_fields(order: Order) -> set[str]:
    """Which of EDITABLE_FIELDS may be corrected on this order now."""
    fields = set(EDITABLE_FIELDS)
    if order.status in ADDRESS_FINAL_STATUSES:
        fields -= {*SHIP_TO_FIELDS, "warehouse", "carrier"}
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
    if refused & {*SHIP_TO_FIELDS, "warehouse", "carrier"} and order.status in ADDRESS_FINAL_STATUSES:
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
    require_permission(actor, "orders.change_order", _("Your role may not change orders."))
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
