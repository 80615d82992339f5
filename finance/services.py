"""Finance services: payments, refunds, invoices. Every one locks the order
before its finance rows and writes the order's timeline."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from orders import events, locks
from orders.errors import DomainError, NotPermitted
from orders.models import CENT, ZERO, OrderEventType, OrderStatus
from orders.numbering import take_number

from .models import Invoice, InvoiceKind, Payment, Refund, RefundStatus

INVOICE_SERIES = "INV"
# Orders an invoice may be issued for; B2B customers get theirs only once delivery is confirmed.
INVOICEABLE_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
B2B_INVOICEABLE_STATUSES = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def payment_record(*, order, actor, amount: Decimal, method: str, reference: str, at) -> Payment:
    """Called by the order service that marks the order paid (order already locked)."""
    payment = payment_build(order=order, actor=actor, amount=amount, method=method, reference=reference, at=at)
    payment.save(force_insert=True)
    return payment


def payment_build(*, order, actor, amount: Decimal, method: str, reference: str, at) -> Payment:
    """The Payment payment_record saves, unsaved: a bulk import of new orders
    (orders.services.imports) inserts many together with their orders."""
    return Payment(
        order=order, amount=amount, currency=order.currency, method=method, reference=reference, paid_at=at, recorded_by=actor
    )


def refundable_amount(order) -> Decimal:
    """Paid, less every refund not failed, to the cent (SQLite sums decimals inexactly)."""
    paid = order.payments.aggregate(total=Sum("amount"))["total"] or ZERO
    refunded = order.refunds.exclude(status=RefundStatus.FAILED).aggregate(total=Sum("amount"))["total"] or ZERO
    return Decimal(paid - refunded).quantize(CENT)


def refund_request(*, order, actor, amount: Decimal, reason: str, return_request=None, at=None) -> Refund:
    """Queue a refund for Finance. The order must be locked by the caller."""
    available = refundable_amount(order)
    if amount <= 0 or amount > available:
        raise DomainError(
            _("%(order)s: a refund must be more than zero and at most %(available)s %(currency)s.")
            % {"order": order.number, "available": available, "currency": order.currency}
        )
    at = at or timezone.now()
    refund = Refund.objects.create(
        order=order,
        return_request=return_request,
        amount=amount,
        currency=order.currency,
        reason=reason,
        requested_by=actor,
        created_at=at,
    )
    events.refund_changed(order=order, actor=actor, at=at, refund=refund, type=OrderEventType.REFUND_REQUESTED)
    return refund


def _refund_transition(*, actor, refund_id: int, name: str, event_type, at=None) -> Refund:
    order_id = Refund.objects.values_list("order_id", flat=True).get(pk=refund_id)
    order = locks.order_for_update(order_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    method = getattr(refund, name)
    if not can_proceed(method):
        raise DomainError(
            _("Refund %(refund)s is %(status)s; that is not possible now.")
            % {"refund": refund.pk, "status": refund.get_status_display()}
        )
    if actor is not None and not method._django_fsm.has_transition_perm(refund, refund.status, actor):
        raise NotPermitted(_("Your role may not do this to refunds."))
    at = at or timezone.now()
    method(at=at)
    refund.save()
    events.refund_changed(order=order, actor=actor, at=at, refund=refund, type=event_type)
    return refund


@transaction.atomic
def refund_approve(*, actor, refund_id: int, at=None) -> Refund:
    return _refund_transition(actor=actor, refund_id=refund_id, name="approve", event_type=OrderEventType.REFUND_APPROVED, at=at)


@transaction.atomic
def refund_mark_paid(*, actor, refund_id: int, at=None) -> Refund:
    return _refund_transition(actor=actor, refund_id=refund_id, name="mark_paid", event_type=OrderEventType.REFUND_PAID, at=at)


@transaction.atomic
def invoice_issue(*, actor, order_id: int, at=None) -> Invoice:
    """Issue the order's invoice, numbered without gaps in its series."""
    if actor is not None and not actor.has_perm("finance.issue_invoice"):
        raise NotPermitted(_("Your role may not issue invoices."))
    order = locks.order_for_update(order_id)
    is_b2b = order.customer is not None and order.customer.is_business
    allowed = B2B_INVOICEABLE_STATUSES if is_b2b else INVOICEABLE_STATUSES
    if order.status not in allowed:
        message = (
            _("%(order)s: a B2B invoice is issued once delivery is confirmed.")
            if is_b2b
            else _("%(order)s: an invoice is issued once the order has shipped.")
        )
        raise DomainError(message % {"order": order.number})
    if order.invoices.filter(kind=InvoiceKind.INVOICE, voided_at__isnull=True).exists():
        raise DomainError(_("%(order)s already has a valid invoice.") % {"order": order.number})
    at = at or timezone.now()
    year = timezone.localtime(at).year  # the seller's year, not UTC's
    number = take_number(f"invoice:{INVOICE_SERIES}:{year}")
    invoice = Invoice.objects.create(
        order=order,
        series=INVOICE_SERIES,
        number=f"{year}{number:07d}",
        amount=order.total_amount,
        currency=order.currency,
        issued_at=at,
        issued_by=actor,
    )
    events.invoice_changed(order=order, actor=actor, at=at, invoice=invoice, type=OrderEventType.INVOICE_ISSUED)
    return invoice


@transaction.atomic
def invoice_void(*, actor, invoice_id: int, reason: str, at=None) -> Invoice:
    if actor is not None and not actor.has_perm("finance.void_invoice"):
        raise NotPermitted(_("Your role may not void invoices."))
    order_id = Invoice.objects.values_list("order_id", flat=True).get(pk=invoice_id)
    order = locks.order_for_update(order_id)
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("An invoice is voided only with a reason."))
    if invoice.is_void():
        raise DomainError(_("Invoice %(invoice)s is void already.") % {"invoice": invoice})
    invoice.voided_at, invoice.void_reason = at or timezone.now(), reason
    invoice.save(update_fields=["voided_at", "void_reason"])
    events.invoice_changed(
        order=order, actor=actor, at=invoice.voided_at, invoice=invoice, type=OrderEventType.INVOICE_VOIDED, reason=reason
    )
    return invoice
