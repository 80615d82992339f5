"""Running a ticket's transitions: state, role and conditions checked, fields
changed by the transition method, the step written on the order's timeline.
The simple steps (approve, reject, cancel, await return, close) live here."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders import events
from core.errors import DomainError
from core.fsm import Refusals, check_transition
from orders.models import OrderEventType

from ..locks import ticket_for_update
from ..models import ReturnRequest, ReturnStatus

STEP_LABELS = {
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "cancel": gettext_lazy("Cancel ticket"),
    "await_return": gettext_lazy("Wait for the goods"),
    "receive": gettext_lazy("Receive goods"),
    "inspect": gettext_lazy("Inspect goods"),
    "refund": gettext_lazy("Refund"),
    "exchange": gettext_lazy("Send replacement"),
    "reship": gettext_lazy("Reship"),
    "close": gettext_lazy("Close ticket"),
}

TICKET_REFUSALS = Refusals(
    wrong_state=gettext_lazy("%(ticket)s: “%(action)s” is not possible while the ticket is %(status)s."),
    not_permitted=gettext_lazy("%(ticket)s: your role may not “%(action)s”."),
    unmet=gettext_lazy("%(ticket)s: “%(action)s” is not possible: %(reasons)s"),
)

STEP_EVENTS = {
    "approve": OrderEventType.RETURN_APPROVED,
    "reject": OrderEventType.RETURN_REJECTED,
    "cancel": OrderEventType.RETURN_CANCELLED,
    "await_return": OrderEventType.RETURN_AWAITED,
    "receive": OrderEventType.RETURN_RECEIVED,
    "inspect": OrderEventType.RETURN_INSPECTED,
    "refund": OrderEventType.RETURN_REFUNDED,
    "exchange": OrderEventType.RETURN_EXCHANGED,
    "reship": OrderEventType.RETURN_RESHIPPED,
    "close": OrderEventType.RETURN_CLOSED,
}


def check_step(ticket: ReturnRequest, name: str, actor) -> None:
    """May this actor take this step on the ticket as it is now? (state, role, conditions)"""
    check_transition(
        ticket,
        name,
        actor,
        refusals=TICKET_REFUSALS,
        params=lambda: {"ticket": ticket.number, "action": STEP_LABELS[name], "status": ticket.get_status_display()},
    )


def run_step(ticket: ReturnRequest, name: str, *, order, actor, at, method_kwargs=None, **event_details) -> ReturnRequest:
    """Take a step already checked by ``check_step`` and record it on the order's timeline."""
    getattr(ticket, name)(**(method_kwargs or {}))
    ticket.save()
    events.ticket_changed(order=order, actor=actor, at=at, ticket=ticket, type=STEP_EVENTS[name], **event_details)
    return ticket


def _require_text(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message)
    return text


@transaction.atomic
def return_approve(*, actor, ticket_id: int, at=None) -> ReturnRequest:
    order, _lines, ticket = ticket_for_update(ticket_id)
    check_step(ticket, "approve", actor)
    return run_step(ticket, "approve", order=order, actor=actor, at=at or timezone.now())


@transaction.atomic
def return_reject(*, actor, ticket_id: int, reason: str, at=None) -> ReturnRequest:
    order, _lines, ticket = ticket_for_update(ticket_id)
    check_step(ticket, "reject", actor)
    reason = _require_text(reason, _("Say why the ticket is rejected."))
    at = at or timezone.now()
    return run_step(ticket, "reject", order=order, actor=actor, at=at, method_kwargs={"at": at, "reason": reason}, reason=reason)


@transaction.atomic
def return_cancel(*, actor, ticket_id: int, reason: str, at=None) -> ReturnRequest:
    """The buyer withdrew the request; its units may be claimed by a new ticket."""
    order, _lines, ticket = ticket_for_update(ticket_id)
    check_step(ticket, "cancel", actor)
    reason = _require_text(reason, _("Say why the ticket is cancelled."))
    at = at or timezone.now()
    return run_step(ticket, "cancel", order=order, actor=actor, at=at, method_kwargs={"at": at, "reason": reason}, reason=reason)


@transaction.atomic
def return_await(*, actor, ticket_id: int, carrier: str = "", tracking_number: str = "", at=None) -> ReturnRequest:
    """The buyer was told where to send the goods (and may have given the parcel's tracking number)."""
    order, _lines, ticket = ticket_for_update(ticket_id)
    check_step(ticket, "await_return", actor)
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    return run_step(
        ticket,
        "await_return",
        order=order,
        actor=actor,
        at=at or timezone.now(),
        method_kwargs={"carrier": carrier, "tracking_number": tracking_number},
        carrier=carrier,
        tracking_number=tracking_number,
    )


@transaction.atomic
def return_close(*, actor, ticket_id: int, resolution: str = "", at=None) -> ReturnRequest:
    """Close a settled ticket. Closing after inspection without a refund or a
    replacement (the goods went back to the buyer, say) needs a resolution."""
    order, _lines, ticket = ticket_for_update(ticket_id)
    check_step(ticket, "close", actor)
    resolution = (resolution or "").strip()
    if ticket.status == ReturnStatus.INSPECTED and not resolution:
        raise DomainError(
            _("%(ticket)s: say how it was resolved, as it closes without a refund or a replacement.")
            % {"ticket": ticket.number}
        )
    at = at or timezone.now()
    return run_step(
        ticket, "close", order=order, actor=actor, at=at, method_kwargs={"at": at, "resolution": resolution}, resolution=resolution
    )
