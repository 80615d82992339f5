"""Invoices and credit notes: issued after shipment (B2B once delivery is
confirmed), numbered without gaps per series and year, voided only with a
reason; a paid refund on an invoiced order gets a credit note."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import events
from orders import locks as order_locks
from core.errors import DomainError, NotPermitted
from orders.models import OrderEventType, OrderStatus
from core.numbering import take_number

from .. import locks
from ..models import Invoice, InvoiceKind, RefundStatus
from ..money import ZERO, to_cent
from .periods import ensure_period_open

INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"
# Orders an invoice may be issued for; B2B customers get theirs only once delivery is confirmed.
INVOICEABLE_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
B2B_INVOICEABLE_STATUSES = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def _number(series: str, at) -> str:
    year = timezone.localtime(at).year  # the seller's year, not UTC's
    return f"{year}{take_number(f'invoice:{series}:{year}'):07d}"


def valid_invoice(order) -> Invoice | None:
    return order.invoices.filter(kind=InvoiceKind.INVOICE, voided_at__isnull=True).first()


@transaction.atomic
def invoice_issue(*, actor, order_id: int, at=None) -> Invoice:
    """Issue the order's invoice, numbered without gaps in its series.

    Refunds already paid are left out of it; later ones get credit notes.
    A B2B customer on payment terms owes it by ``due_on``.
    """
    if actor is not None and not actor.has_perm("finance.issue_invoice"):
        raise NotPermitted(_("Your role may not issue invoices."))
    order = order_locks.order_for_update(order_id)
    is_b2b = order.customer is not None and order.customer.is_business
    allowed = B2B_INVOICEABLE_STATUSES if is_b2b else INVOICEABLE_STATUSES
    if order.status not in allowed:
        message = (
            _("%(order)s: a B2B invoice is issued once delivery is confirmed.")
            if is_b2b
            else _("%(order)s: an invoice is issued once the order has shipped.")
        )
        raise DomainError(message % {"order": order.number})
    if valid_invoice(order) is not None:
        raise DomainError(_("%(order)s already has a valid invoice.") % {"order": order.number})
    at = at or timezone.now()
    ensure_period_open(at, subject=_("An invoice for %(order)s") % {"order": order.number})
    refunded = order.refunds.filter(status=RefundStatus.PAID).aggregate(total=Sum("amount"))["total"] or ZERO
    amount = to_cent(order.total_amount - refunded)
    if amount <= 0:
        raise DomainError(_("%(order)s was refunded in full; there is nothing to invoice.") % {"order": order.number})
    terms = order.customer.payment_terms_days if is_b2b else None
    invoice = Invoice.objects.create(
        order=order,
        series=INVOICE_SERIES,
        number=_number(INVOICE_SERIES, at),
        amount=amount,
        currency=order.currency,
        issued_at=at,
        issued_by=actor,
        due_on=(timezone.localtime(at) + timedelta(days=terms)).date() if terms else None,
    )
    events.invoice_changed(order=order, actor=actor, at=at, invoice=invoice, type=OrderEventType.INVOICE_ISSUED)
    return invoice


@transaction.atomic
def invoice_void(*, actor, invoice_id: int, reason: str, at=None) -> Invoice:
    """Void an invoice or credit note (a wrong name, say), with a reason.

    An invoice dated in a closed period cannot be voided: a credit note dated
    now corrects it instead.
    """
    if actor is not None and not actor.has_perm("finance.void_invoice"):
        raise NotPermitted(_("Your role may not void invoices."))
    order, invoice = locks.invoice_for_update(invoice_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("An invoice is voided only with a reason."))
    if invoice.is_void():
        raise DomainError(_("Invoice %(invoice)s is void already.") % {"invoice": invoice})
    if invoice.credit_notes.filter(voided_at__isnull=True).exists():
        raise DomainError(
            _("Invoice %(invoice)s has credit notes; void them first.") % {"invoice": invoice}
        )
    at = at or timezone.now()
    subject = _("Invoice %(invoice)s") % {"invoice": invoice}
    ensure_period_open(invoice.issued_at, subject=subject)
    ensure_period_open(at, subject=_("Voiding invoice %(invoice)s") % {"invoice": invoice})
    invoice.voided_at, invoice.void_reason = at, reason
    invoice.save(update_fields=["voided_at", "void_reason"])
    events.invoice_changed(
        order=order, actor=actor, at=invoice.voided_at, invoice=invoice, type=OrderEventType.INVOICE_VOIDED, reason=reason
    )
    return invoice


def credit_note_for_refund(*, order, refund, actor, at) -> Invoice | None:
    """A credit note against the order's valid invoice for a paid refund (order locked by the caller).

    It credits at most what is left of the invoice after earlier credit notes.
    """
    invoice = valid_invoice(order)
    if invoice is None:
        return None
    credited = invoice.credit_notes.filter(voided_at__isnull=True).aggregate(total=Sum("amount"))["total"] or ZERO
    amount = min(refund.amount, to_cent(invoice.amount - credited))
    if amount <= 0:
        return None
    ensure_period_open(at, subject=_("A credit note for %(order)s") % {"order": order.number})
    note = Invoice.objects.create(
        order=order,
        kind=InvoiceKind.CREDIT_NOTE,
        series=CREDIT_NOTE_SERIES,
        number=_number(CREDIT_NOTE_SERIES, at),
        amount=amount,
        currency=order.currency,
        issued_at=at,
        issued_by=actor,
        credits=invoice,
        refund=refund,
    )
    events.invoice_changed(
        order=order, actor=actor, at=at, invoice=note, type=OrderEventType.CREDIT_NOTE_ISSUED, credits=str(invoice)
    )
    return note
