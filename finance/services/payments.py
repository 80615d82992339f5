"""Payments: recorded when an order is marked paid, or received on account
for a B2B order approved on payment terms."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import events, locks
from core.errors import DomainError, NotPermitted
from orders.models import OrderStatus

from ..models import Payment, PaymentMethod
from ..money import CENT
from .periods import ensure_period_open

# Orders that may owe money on account: approved on terms, not cancelled.
ON_ACCOUNT_STATUSES = (
    OrderStatus.APPROVED,
    OrderStatus.ALLOCATED,
    OrderStatus.PICKING,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
)


def payment_record(*, order, actor, amount: Decimal, method: str, reference: str, at) -> Payment:
    """Called by the order service that marks the order paid (order already locked)."""
    payment = payment_build(order=order, actor=actor, amount=amount, method=method, reference=reference, at=at)
    payment.save(force_insert=True)
    return payment


def payment_build(*, order, actor, amount: Decimal, method: str, reference: str, at, closed_months=None) -> Payment:
    """The Payment payment_record saves, unsaved: a bulk import of new orders
    (orders.services.imports) inserts many together with their orders, and
    passes the closed months it read once (``closed_months``)."""
    if closed_months is None or closed_months:  # none closed: nothing to check
        ensure_period_open(at, subject=_("The payment for %(order)s") % {"order": order.number}, closed=closed_months)
    return Payment(
        order=order, amount=amount, currency=order.currency, method=method, reference=reference, paid_at=at, recorded_by=actor
    )


def outstanding_amount(order) -> Decimal:
    """What the buyer still owes on the order."""
    return max(order.total_amount - order.paid_amount, Decimal("0.00"))


@transaction.atomic
def payment_receive(
    *, actor, order_id: int, amount: Decimal, method: str = PaymentMethod.BANK_TRANSFER, reference: str = "", at=None
) -> Payment:
    """Money a B2B customer on payment terms paid after the order was approved."""
    if actor is not None and not actor.has_perm("finance.receive_payment"):
        raise NotPermitted(_("Your role may not record payments received."))
    order = locks.order_for_update(order_id)
    at = at or timezone.now()
    owed = outstanding_amount(order)
    if order.status not in ON_ACCOUNT_STATUSES or owed <= 0:
        raise DomainError(_("%(order)s owes nothing on account.") % {"order": order.number})
    if amount != amount.quantize(CENT) or amount <= 0 or amount > owed:
        raise DomainError(
            _("%(order)s: a payment on account is more than zero, to the cent, and at most the %(owed)s %(currency)s owed.")
            % {"order": order.number, "owed": owed, "currency": order.currency}
        )
    if method not in PaymentMethod.values:
        raise DomainError(_("Choose a payment method from the list."))
    payment = payment_record(order=order, actor=actor, amount=amount, method=method, reference=reference.strip(), at=at)
    order.paid_amount += amount
    fields = ["paid_amount", "updated_at"]
    if order.paid_amount == order.total_amount:
        order.paid_at = at
        fields.append("paid_at")
    order.save(update_fields=fields)
    events.payment_received(order=order, actor=actor, at=at, amount=amount, method=method, reference=payment.reference)
    return payment
