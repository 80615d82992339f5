"""What happened to an order outside our warehouses: shipped by the
platform's own fulfilment (Amazon FBA, JD 京东仓), by a supplier, or before
Orderdesk was used; a tracking number the carrier or the platform corrected.

Stock rule: ``order_ship_outside`` never reserves or consumes our stock,
because none of our warehouses holds goods for the order (the transition
starts only from paid/approved, before any allocation). An order whose stock
is reserved in our warehouse leaves through pick → pack → ship, which
consumes the reservation (``order_ship``).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import events, locks
from core.errors import DomainError, require_permission
from ..models import Order, OrderStatus
from .shipments import _move_tracking_number
from .transitions import _now, _transition

TRACKING_CORRECTABLE_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@transaction.atomic
def order_ship_outside(*, actor, order_id: int, carrier: str = "", tracking_number: str = "", at=None) -> Order:
    """Record an order as shipped by someone else; our stock is not touched."""
    at = _now(at)
    order = locks.order_for_update(order_id)
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    details = {}
    if carrier or tracking_number:
        order.carrier, order.tracking_number = carrier, tracking_number
        details = {"carrier": carrier, "tracking_number": tracking_number}
    return _transition(order, "ship_outside", actor=actor, at=at, method_kwargs={"at": at}, event_details=details)


@transaction.atomic
def order_update_tracking(*, actor, order_id: int, carrier: str, tracking_number: str, at=None) -> Order:
    """Correct the carrier and tracking number of an order that has shipped."""
    order = locks.order_for_update(order_id)
    require_permission(actor, "orders.ship_order", _("Your role may not change tracking numbers."))
    if order.status not in TRACKING_CORRECTABLE_STATUSES:
        raise DomainError(
            _("%(order)s has not shipped yet; its tracking number is given when it ships.") % {"order": order.number}
        )
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not tracking_number:
        raise DomainError(_("%(order)s: a tracking number is required.") % {"order": order.number})
    carrier = carrier or order.carrier
    changes = {
        field: (getattr(order, field), value)
        for field, value in (("carrier", carrier), ("tracking_number", tracking_number))
        if getattr(order, field) != value
    }
    if not changes:
        return order
    order.carrier, order.tracking_number = carrier, tracking_number
    _move_tracking_number(order)
    order.save(update_fields=["carrier", "tracking_number", "updated_at"])
    events.details_changed(order=order, actor=actor, at=_now(at), changes=changes)
    return order
