"""A tracking number is on one parcel per carrier. The database holds the rule
(orders.Shipment's unique constraint), so two people shipping at the same
moment cannot both keep it; these turn its refusal into a message."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError

from ..models import Order, Shipment


def _refusal(order: Order) -> DomainError:
    holder = (
        Shipment.objects.filter(carrier__iexact=order.carrier, tracking_number=order.tracking_number)
        .values_list("order__number", flat=True)
        .first()
    )
    return DomainError(
        _("%(order)s: tracking number %(tracking)s of %(carrier)s is already on order %(holder)s: scanned twice?")
        % {"order": order.number, "tracking": order.tracking_number, "carrier": order.carrier, "holder": holder}
    )


def _claim_tracking_number(order: Order, *, at) -> None:
    """The shipped order holds its parcel's tracking number (the orders merged into it ship in that parcel)."""
    if order.merged_into_id or not order.tracking_number:
        return
    try:
        with transaction.atomic():  # a savepoint: the refusal leaves the caller's transaction usable
            Shipment.objects.create(order=order, carrier=order.carrier, tracking_number=order.tracking_number, shipped_at=at)
    except IntegrityError:
        raise _refusal(order) from None


def _move_tracking_number(order: Order) -> None:
    """A corrected carrier or tracking number moves the parcel's claim with it."""
    try:
        with transaction.atomic():
            Shipment.objects.filter(order=order).update(carrier=order.carrier, tracking_number=order.tracking_number)
    except IntegrityError:
        raise _refusal(order) from None
