"""Replacement orders for after-sales tickets (issue 5): an exchange or a
reship sends goods again as an order of its own, free of charge, so that the
warehouse allocates, picks, packs and ships it in its usual queue."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import SKU

from ..models import SHIP_TO_FIELDS, ZERO, Order
from .creation import LineInput, order_create
from .transitions import _now, _transition


@dataclass(frozen=True)
class ReplacementLine:
    sku: SKU
    quantity: int
    title: str


@transaction.atomic
def order_create_replacement(*, actor, original: Order, lines: list[ReplacementLine], ticket_number: str, at=None) -> Order:
    """A paid, zero-priced order to the original's address, for the ticket's goods.

    The caller (the after-sales service) holds the original order's lock and has
    checked its own permission; the replacement is created by the system on the
    ticket's behalf, so the clerk's "create orders" permission is not needed.
    """
    at = _now(at)
    order = order_create(
        actor=None,
        channel=original.channel,
        lines=[LineInput(title=line.title, quantity=line.quantity, sku=line.sku) for line in lines],
        placed_at=at,
        source=f"after-sales {ticket_number}",
        customer=original.customer,
        buyer_nick=original.buyer_nick,
        currency=original.currency,
        priority=original.priority,
        seller_memo=_("Replacement for %(order)s, after-sales ticket %(ticket)s; no charge.")
        % {"order": original.number, "ticket": ticket_number},
        **{field: getattr(original, field) for field in SHIP_TO_FIELDS},
    )
    # Paid by the original order: nothing is owed, so no payment record.
    _transition(
        order,
        "mark_paid",
        actor=actor,
        at=at,
        method_kwargs={"at": at, "amount": ZERO},
        event_details={"amount": ZERO, "method": "replacement"},
        check_permission=False,
    )
    return order
