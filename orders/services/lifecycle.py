"""The order's transitions from payment to completion, hold and cancellation."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from inventory import services as stock_services

from .. import events, locks
from ..finance_port import finance
from core.errors import DomainError
from ..models import CENT, Order, PaymentMethod
from .merging import leave_merge_on_cancel
from .transitions import _check_transition_allowed, _now, _require_reason, _transition


def _mark_paid(
    order: Order,
    *,
    actor,
    at,
    amount: Decimal,
    method: str,
    reference: str,
    check_permission: bool = True,
    unsaved_payments: list | None = None,
    closed_months=None,
) -> Order:
    """``unsaved_payments``: a bulk import's list; the payment is built and
    appended there, and the (new, unsaved) order is not saved either
    (``closed_months``: finance's closed months, read once for the batch)."""
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
        save=unsaved_payments is None,
    )
    payment = {"order": order, "actor": actor, "amount": amount, "method": method, "reference": reference, "at": at}
    if unsaved_payments is None:
        finance().payment_record(**payment)
    else:
        unsaved_payments.append(finance().payment_build(**payment, closed_months=closed_months))
    return order


@transaction.atomic
def order_mark_paid(
    *,
    actor,
    order_id: int,
    amount: Decimal | None = None,
    method: str = PaymentMethod.BANK_TRANSFER,
    reference="",
    at=None,
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
    # The whole parcel first: the stock rows come after every order of it (see orders.locks).
    group = locks.merge_group_for_update(order_id)
    order = next(member for member in group if member.pk == order_id)
    reason = _require_reason(reason, order)
    had_reservation = order.has_stock_reserved()
    name = "cancel_allocated" if had_reservation else "cancel"
    _transition(
        order, name, actor=actor, at=at, method_kwargs={"at": at, "reason": reason}, event_details={"reason": reason}
    )
    if had_reservation:
        released = stock_services.stock_release_for_order(order=order, actor=actor, at=at)
        events.stock_released(order=order, actor=actor, at=at, quantities=released)
    # issue 4: a cancelled order no longer ships with others
    leave_merge_on_cancel(order, group=group, actor=actor, at=at)
    refundable = finance().refundable_amount(order)
    if refundable > 0:
        finance().refund_request(
            order=order,
            actor=actor,
            amount=refundable,
            reason=_("Order cancelled: %(reason)s") % {"reason": reason},
            at=at,
        )
    return order
