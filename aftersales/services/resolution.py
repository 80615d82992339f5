"""How a ticket is resolved: a refund (never more than was paid for its lines),
or a replacement sent as a free order of its own (exchange, reship)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from finance import services as finance_services
from finance.money import split_by_weight
from finance.selectors import line_refund_caps
from inventory.models import SKU
from orders import services as order_services
from core.errors import DomainError
from core.fsm import unmet_conditions

from ..locks import ticket_for_update
from ..models import ReturnRequest, ReturnStatus
from .ticket_steps import check_step, run_step


def ticket_refund_units(ticket: ReturnRequest) -> dict[int, int]:
    """Order line id → units the ticket refunds: what came back and was
    inspected, or, for a refund only, the units on the ticket."""
    units = {}
    for line in ticket.lines.all():
        count = line.units_back if ticket.expects_goods_back() else line.quantity
        if count:
            units[line.order_line_id] = units.get(line.order_line_id, 0) + count
    return units


def ticket_refund_cap(ticket: ReturnRequest) -> Decimal:
    """The most the ticket may refund now: what was paid for its units (less
    earlier refunds of the same lines), and never more than the order's
    payments less its refunds."""
    caps = line_refund_caps(ticket.order, ticket_refund_units(ticket))
    return min(sum(caps.values(), Decimal("0.00")), finance_services.refundable_amount(ticket.order))


@transaction.atomic
def return_refund(*, actor, ticket_id: int, amount: Decimal | None = None, note: str = "", at=None) -> ReturnRequest:
    """Request the ticket's refund from Finance: by default all that was paid for
    its units; less if agreed with the buyer (``amount``)."""
    order, _lines, ticket = ticket_for_update(ticket_id, lines=True)
    check_step(ticket, "refund", actor)
    units = ticket_refund_units(ticket)
    caps = line_refund_caps(order, units)
    cap = min(sum(caps.values(), Decimal("0.00")), finance_services.refundable_amount(order))
    amount = cap if amount is None else amount
    if amount <= 0 or amount > cap or amount != amount.quantize(Decimal("0.01")):
        raise DomainError(
            _("%(ticket)s: the refund must be more than zero and at most %(cap)s %(currency)s, what was paid for these units.")
            % {"ticket": ticket.number, "cap": cap, "currency": order.currency}
        )
    line_ids = sorted(caps)
    shares = split_by_weight(amount, [caps[line_id] for line_id in line_ids])
    at = at or timezone.now()
    note = (note or "").strip()
    # The step first: its condition ("no refund that has not failed") reads the refunds as they were.
    run_step(ticket, "refund", order=order, actor=actor, at=at, amount=amount, note=note)
    finance_services.refund_request(
        order=order,
        actor=actor,
        amount=amount,
        reason=_("After-sales ticket %(ticket)s: %(reason)s") % {"ticket": ticket.number, "reason": ticket.get_reason_display()}
        + (f" — {note}" if note else ""),
        return_request=ticket,
        lines=[
            finance_services.RefundLineInput(order_line_id=line_id, quantity=units[line_id], amount=share)
            for line_id, share in zip(line_ids, shares, strict=True)
        ],
        at=at,
    )
    return ticket


@transaction.atomic
def return_close_when_refund_paid(*, ticket_id: int) -> ReturnRequest:
    """A refunded ticket whose refund is paid closes, as of the payment (the
    README's "closes once the refund is paid"). Run by the system when Finance
    pays a ticket's refund; a ticket already closed, or still waiting for its
    refund, is left as it is, so running it twice changes nothing."""
    order, _lines, ticket = ticket_for_update(ticket_id)
    if ticket.status != ReturnStatus.REFUNDED or unmet_conditions(ticket, "close"):
        return ticket
    paid_at = ticket.refunds.filter(status="paid").aggregate(paid_at=Max("paid_at"))["paid_at"]
    return run_step(
        ticket, "close", order=order, actor=None, at=paid_at, method_kwargs={"at": paid_at, "resolution": ""}, resolution=""
    )


def _replace(ticket: ReturnRequest, name: str, *, order, actor, at, lines) -> ReturnRequest:
    if not lines:
        raise DomainError(_("%(ticket)s: no units to send again.") % {"ticket": ticket.number})
    replacement = order_services.order_create_replacement(
        actor=actor, original=order, lines=lines, ticket_number=ticket.number, at=at
    )
    return run_step(
        ticket,
        name,
        order=order,
        actor=actor,
        at=at,
        method_kwargs={"replacement_order": replacement},
        replacement=replacement.number,
        quantities={line.sku.code: line.quantity for line in lines},
    )


@transaction.atomic
def return_exchange(*, actor, ticket_id: int, replacement_skus: dict[int, int] | None = None, at=None) -> ReturnRequest:
    """After inspection, send the buyer a replacement for every unit that came
    back: the same SKU, or another one (``replacement_skus``: ticket line id → SKU id)."""
    order, _lines, ticket = ticket_for_update(ticket_id, lines=True)
    check_step(ticket, "exchange", actor)
    replacement_skus = replacement_skus or {}
    chosen = SKU.objects.in_bulk([sku_id for sku_id in replacement_skus.values() if sku_id])
    lines = []
    for line in ticket.lines.select_related("order_line__sku"):
        sku_id = replacement_skus.get(line.pk)
        sku = chosen.get(sku_id) if sku_id else line.order_line.sku
        if sku is None or not sku.is_active:
            raise DomainError(_("%(title)s: choose an active SKU to send instead.") % {"title": line.order_line.title})
        if sku != line.order_line.sku:
            line.replacement_sku = sku
            line.save(update_fields=["replacement_sku"])
        if line.units_back:
            title = line.order_line.title if sku == line.order_line.sku else sku.name
            lines.append(order_services.ReplacementLine(sku=sku, quantity=line.units_back, title=title))
    return _replace(ticket, "exchange", order=order, actor=actor, at=at or timezone.now(), lines=lines)


@transaction.atomic
def return_reship(*, actor, ticket_id: int, at=None) -> ReturnRequest:
    """Send the ticket's units again (lost or broken in transit); nothing comes back."""
    order, _lines, ticket = ticket_for_update(ticket_id, lines=True)
    check_step(ticket, "reship", actor)
    lines = [
        order_services.ReplacementLine(sku=line.order_line.sku, quantity=line.quantity, title=line.order_line.title)
        for line in ticket.lines.select_related("order_line__sku")
    ]
    return _replace(ticket, "reship", order=order, actor=actor, at=at or timezone.now(), lines=lines)
