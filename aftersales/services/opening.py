"""Opening a ticket, and handing it to another owner."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import events, locks
from core.errors import DomainError, NotPermitted
from orders.models import OrderEventType, OrderStatus
from core.numbering import take_number

from ..locks import ticket_for_update
from ..models import (
    FINAL_STATUSES,
    WITHDRAWN_STATUSES,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    TicketKind,
    TicketSLA,
)

RETURNABLE_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@transaction.atomic
def return_open(
    *, actor, order_id: int, kind: str, reason: str, quantities: dict[int, int], note: str = "", owner=None, at=None
) -> ReturnRequest:
    """Open a ticket for some lines of a shipped order: ``quantities`` maps order line id → units.

    The ticket belongs to ``owner`` (default: whoever opens it) and is due when
    the SLA of its kind says.
    """
    if actor is not None and not actor.has_perm("aftersales.open_return"):
        raise NotPermitted(_("Your role may not open after-sales tickets."))
    order = locks.order_for_update(order_id)
    lines = {line.pk: line for line in locks.order_lines_for_update(order)}
    if order.status not in RETURNABLE_STATUSES:
        raise DomainError(_("%(order)s has not shipped; cancel it instead.") % {"order": order.number})
    if kind not in TicketKind.values or reason not in ReturnReason.values:
        raise DomainError(_("Choose a ticket kind and a reason from the lists."))
    quantities = {line_id: qty for line_id, qty in quantities.items() if qty}
    if not quantities or set(quantities) - set(lines) or min(quantities.values()) < 0:
        raise DomainError(_("Choose at least one line of this order, with a positive quantity."))
    open_tickets = ReturnLine.objects.filter(return_request__order=order).exclude(
        return_request__status__in=WITHDRAWN_STATUSES
    )
    already = dict(open_tickets.values("order_line").annotate(total=Sum("quantity")).values_list("order_line", "total"))
    for line_id, qty in quantities.items():
        if qty + already.get(line_id, 0) > lines[line_id].quantity:
            raise DomainError(
                _("%(title)s: %(qty)s requested, but only %(left)s of %(ordered)s are not in a ticket yet.")
                % {
                    "title": lines[line_id].title,
                    "qty": qty,
                    "left": lines[line_id].quantity - already.get(line_id, 0),
                    "ordered": lines[line_id].quantity,
                }
            )
    at = at or timezone.now()
    month = f"{timezone.localtime(at):%y%m}"  # the seller's month, not UTC's
    ticket = ReturnRequest.objects.create(
        number=f"RT{month}{take_number(f'return:{month}'):05d}",
        order=order,
        kind=kind,
        reason=reason,
        note=note,
        opened_by=actor,
        owner=owner or actor,
        created_at=at,
        due_at=TicketSLA.due_at(kind, at),
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(return_request=ticket, order_line=lines[line_id], quantity=qty) for line_id, qty in quantities.items()
    )
    events.return_opened(order=order, actor=actor, at=at, ticket=ticket)
    return ticket


@transaction.atomic
def return_assign(*, actor, ticket_id: int, owner_id: int, at=None) -> ReturnRequest:
    """Hand an open ticket to another member of staff."""
    if actor is not None and not actor.has_perm("aftersales.assign_return"):
        raise NotPermitted(_("Your role may not hand tickets to others."))
    order, _lines, ticket = ticket_for_update(ticket_id)
    if ticket.status in FINAL_STATUSES:
        raise DomainError(_("%(ticket)s is finished; it has no owner to change.") % {"ticket": ticket.number})
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True, is_staff=True).first()
    if owner is None:
        raise DomainError(_("Choose an active member of staff as the owner."))
    if owner.pk == ticket.owner_id:
        return ticket
    ticket.owner = owner
    ticket.save(update_fields=["owner"])
    events.ticket_changed(
        order=order,
        actor=actor,
        at=at or timezone.now(),
        ticket=ticket,
        type=OrderEventType.RETURN_ASSIGNED,
        to_owner=owner.get_username(),
    )
    return ticket
