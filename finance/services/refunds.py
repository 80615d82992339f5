"""Refunds: requested (by a cancellation or an after-sales ticket), approved
and paid by Finance, or failed. Every one locks the order before its finance
rows and writes the order's timeline."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders import events
from core.errors import DomainError
from core.fsm import Refusals, check_transition
from core.tasks import enqueue_on_commit
from orders.models import OrderEventType

from .. import locks
from ..models import Refund, RefundLine
from ..money import CENT, ZERO, to_cent
from .invoices import credit_note_for_refund
from .periods import ensure_period_open


@dataclass(frozen=True)
class RefundLineInput:
    order_line_id: int
    quantity: int
    amount: Decimal


# Queued by its dotted name: aftersales builds on finance, and it is aftersales
# that knows a ticket closes once its refund is paid (the task does nothing to a
# ticket that is not waiting for it).
TICKET_REFUND_PAID_TASK = "aftersales.tasks.close_ticket_refund_paid"

REFUND_REFUSALS = Refusals(
    wrong_state=gettext_lazy("Refund %(refund)s is %(status)s; that is not possible now."),
    not_permitted=gettext_lazy("Your role may not do this to refunds."),
)

def refundable_amount(order) -> Decimal:
    """Paid, less every refund not failed, to the cent (SQLite sums decimals inexactly)."""
    paid = order.payments.aggregate(total=Sum("amount"))["total"] or ZERO
    refunded = order.refunds.live().aggregate(total=Sum("amount"))["total"] or ZERO
    return to_cent(paid - refunded)


def refund_request(
    *,
    order,
    actor,
    amount: Decimal,
    reason: str,
    return_request=None,
    lines: Iterable[RefundLineInput] = (),
    at=None,
) -> Refund:
    """Queue a refund for Finance. The order must be locked by the caller.

    ``lines`` say which order lines it pays back (after-sales tickets); their
    amounts add up to ``amount``.
    """
    available = refundable_amount(order)
    if amount <= 0 or amount > available or amount != amount.quantize(CENT):
        raise DomainError(
            _("%(order)s: a refund must be more than zero, to the cent, and at most %(available)s %(currency)s.")
            % {"order": order.number, "available": available, "currency": order.currency}
        )
    lines = list(lines)
    if lines and sum((line.amount for line in lines), ZERO) != amount:
        raise DomainError(_("The refund's lines do not add up to its amount."))  # a bug in the caller, not the user's input
    at = at or timezone.now()
    ensure_period_open(at, subject=_("A refund for %(order)s") % {"order": order.number})
    refund = Refund.objects.create(
        order=order,
        return_request=return_request,
        amount=amount,
        currency=order.currency,
        reason=reason,
        requested_by=actor,
        created_at=at,
    )
    RefundLine.objects.bulk_create(
        RefundLine(refund=refund, order_line_id=line.order_line_id, quantity=line.quantity, amount=line.amount)
        for line in lines
    )
    events.refund_changed(order=order, actor=actor, at=at, refund=refund, type=OrderEventType.REFUND_REQUESTED)
    return refund


def _refund_transition(*, actor, refund_id: int, name: str, event_type, at=None, **kwargs) -> tuple[Refund, object]:
    order, refund = locks.refund_for_update(refund_id)
    check_transition(
        refund, name, actor, refusals=REFUND_REFUSALS, params=lambda: {"refund": refund.pk, "status": refund.get_status_display()}
    )
    method = getattr(refund, name)
    at = at or timezone.now()
    ensure_period_open(at, subject=_("Refund %(refund)s of %(order)s") % {"refund": refund.pk, "order": order.number})
    method(at=at, **kwargs)
    refund.save()
    details = {key: value for key, value in kwargs.items() if value}  # no empty "reference" on the timeline
    events.refund_changed(order=order, actor=actor, at=at, refund=refund, type=event_type, **details)
    return refund, order


@transaction.atomic
def refund_approve(*, actor, refund_id: int, at=None) -> Refund:
    refund, _order = _refund_transition(
        actor=actor, refund_id=refund_id, name="approve", event_type=OrderEventType.REFUND_APPROVED, at=at
    )
    return refund


@transaction.atomic
def refund_mark_paid(*, actor, refund_id: int, reference: str = "", at=None) -> Refund:
    """The money went back to the buyer; if the order was invoiced, a credit note follows."""
    refund, order = _refund_transition(
        actor=actor,
        refund_id=refund_id,
        name="mark_paid",
        event_type=OrderEventType.REFUND_PAID,
        at=at,
        reference=(reference or "").strip(),
    )
    credit_note_for_refund(order=order, refund=refund, actor=actor, at=refund.paid_at)
    if refund.return_request_id:
        enqueue_on_commit(TICKET_REFUND_PAID_TASK, refund.return_request_id)
    return refund


@transaction.atomic
def refund_fail(*, actor, refund_id: int, reason: str, at=None) -> Refund:
    """The refund will not be paid (declined, or the payout bounced): it no longer
    counts against what may be refunded, so a new one can be requested."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the refund failed."))
    refund, _order = _refund_transition(
        actor=actor, refund_id=refund_id, name="fail", event_type=OrderEventType.REFUND_FAILED, at=at, reason=reason
    )
    return refund
