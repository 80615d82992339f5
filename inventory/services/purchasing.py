"""Purchase requests: drafted (by hand or from replenishment suggestions),
submitted, approved or rejected by a Supervisor, placed with the supplier and
received into stock through the ledger, line by line."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, require_permission
from core.fsm import Refusals, check_transition
from core.numbering import take_number

from .. import locks
from ..models import (
    MovementKind,
    PurchaseRequest,
    PurchaseRequestLine,
    PurchaseStatus,
    ReferenceType,
    ReplenishmentSuggestion,
)
from .stock import stock_receive

PURCHASE_ACTION_LABELS = {
    "submit": gettext_lazy("Submit for approval"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "place": gettext_lazy("Mark ordered with the supplier"),
    "cancel": gettext_lazy("Cancel"),
    "mark_received": gettext_lazy("Receive"),
}
PURCHASE_REFUSALS = Refusals(
    wrong_state=gettext_lazy("%(number)s: “%(action)s” is not possible while it is %(status)s."),
    not_permitted=gettext_lazy("%(number)s: your role may not “%(action)s”."),
)


def _next_number(at) -> str:
    month = f"{timezone.localtime(at):%y%m}"
    return f"PR{month}{take_number(f'purchase:{month}'):05d}"


@transaction.atomic
def purchase_request_create(*, actor, warehouse, lines: dict, supplier=None, note: str = "", at=None) -> PurchaseRequest:
    """A draft for ``lines`` (SKU → units)."""
    require_permission(actor, "inventory.add_purchaserequest", _("Your role may not create purchase requests."))
    lines = {sku: quantity for sku, quantity in lines.items() if quantity}
    if not lines:
        raise DomainError(_("A purchase request needs at least one SKU with a quantity."))
    if min(lines.values()) < 0:
        raise DomainError(_("Quantities to buy must be more than zero."))
    at = at or timezone.now()
    request = PurchaseRequest.objects.create(
        number=_next_number(at), warehouse=warehouse, supplier=supplier, note=note.strip(), created_by=actor, created_at=at
    )
    PurchaseRequestLine.objects.bulk_create(
        PurchaseRequestLine(purchase_request=request, sku=sku, quantity=quantity)
        for sku, quantity in sorted(lines.items(), key=lambda item: item[0].code)
    )
    return request


@transaction.atomic
def purchase_requests_from_suggestions(*, actor, suggestion_ids, at=None) -> list[PurchaseRequest]:
    """One draft per warehouse and supplier, for the suggested quantities."""
    suggestions = ReplenishmentSuggestion.objects.select_related("warehouse", "sku__supplier").filter(
        pk__in=list(suggestion_ids), quantity__gt=0
    )
    groups = defaultdict(dict)
    for suggestion in suggestions:
        groups[suggestion.warehouse, suggestion.sku.supplier][suggestion.sku] = suggestion.quantity
    if not groups:
        raise DomainError(_("Choose at least one suggestion with a quantity to buy."))
    created = []
    for (warehouse, supplier), lines in sorted(groups.items(), key=lambda item: (item[0][0].pk, item[0][1].pk if item[0][1] else 0)):
        created.append(
            purchase_request_create(
                actor=actor,
                warehouse=warehouse,
                supplier=supplier,
                lines=lines,
                note=_("From replenishment suggestions"),
                at=at,
            )
        )
    return created


def _check(request: PurchaseRequest, name: str, actor) -> None:
    check_transition(
        request,
        name,
        actor,
        refusals=PURCHASE_REFUSALS,
        params=lambda: {"number": request.number, "action": PURCHASE_ACTION_LABELS[name], "status": request.get_status_display()},
    )


def _run(name: str, *, actor, purchase_request_id: int, at=None, **kwargs) -> PurchaseRequest:
    request = locks.purchase_request_for_update(purchase_request_id)
    _check(request, name, actor)
    getattr(request, name)(at=at or timezone.now(), **kwargs)
    request.save()
    return request


@transaction.atomic
def purchase_request_submit(*, actor, purchase_request_id: int, at=None) -> PurchaseRequest:
    return _run("submit", actor=actor, purchase_request_id=purchase_request_id, at=at)


@transaction.atomic
def purchase_request_approve(*, actor, purchase_request_id: int, note: str = "", at=None) -> PurchaseRequest:
    """A Supervisor's decision: the goods may be bought."""
    return _run("approve", actor=actor, purchase_request_id=purchase_request_id, at=at, by=actor, note=note.strip())


@transaction.atomic
def purchase_request_reject(*, actor, purchase_request_id: int, note: str, at=None) -> PurchaseRequest:
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say why the purchase request is rejected."))
    return _run("reject", actor=actor, purchase_request_id=purchase_request_id, at=at, by=actor, note=note)


@transaction.atomic
def purchase_request_place(*, actor, purchase_request_id: int, expected_at=None, at=None) -> PurchaseRequest:
    """Ordered with the supplier; the goods are expected on ``expected_at`` (default: after the lead time)."""
    request = locks.purchase_request_for_update(purchase_request_id)
    if expected_at is None:
        lead = request.supplier.lead_time_days if request.supplier else max(
            (line.sku.lead_time_days for line in request.lines.select_related("sku__supplier")), default=0
        )
        expected_at = timezone.localdate(at or timezone.now()) + timezone.timedelta(days=lead)
    _check(request, "place", actor)
    request.place(at=at or timezone.now(), expected_at=expected_at)
    request.save()
    return request


@transaction.atomic
def purchase_request_cancel(*, actor, purchase_request_id: int, note: str, at=None) -> PurchaseRequest:
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say why the purchase request is cancelled."))
    request = locks.purchase_request_for_update(purchase_request_id)
    if request.lines.filter(received_quantity__gt=0).exists():
        raise DomainError(
            _("%(number)s: goods have been received against it already; it cannot be cancelled.") % {"number": request.number}
        )
    _check(request, "cancel", actor)
    request.cancel(at=at or timezone.now(), note=note)
    request.save()
    return request


@transaction.atomic
def purchase_request_receive(*, actor, purchase_request_id: int, quantities: dict[int, int], at=None) -> PurchaseRequest:
    """Goods arrived for an ordered purchase: ``quantities`` maps line id → units
    received now. Each adds stock through the ledger (kind “purchase”); once
    every line is complete the request is received."""
    require_permission(actor, "inventory.receive_stock", _("Your role may not receive stock."))
    request = locks.purchase_request_for_update(purchase_request_id)
    if request.status != PurchaseStatus.ORDERED:
        raise DomainError(
            _("%(number)s is %(status)s: only ordered purchases can be received.")
            % {"number": request.number, "status": request.get_status_display()}
        )
    lines = locks.purchase_lines_for_update(request)
    quantities = {int(line_id): int(qty or 0) for line_id, qty in quantities.items() if qty}
    if not quantities:
        raise DomainError(_("Enter the units received for at least one line."))
    for line_id, qty in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise DomainError(_("%(number)s has no such line.") % {"number": request.number})
        if qty < 0 or qty > line.outstanding:
            raise DomainError(
                _("%(sku)s: %(qty)s received, but %(outstanding)s of %(ordered)s are still expected.")
                % {"sku": line.sku.code, "qty": qty, "outstanding": line.outstanding, "ordered": line.quantity}
            )
    at = at or timezone.now()
    for line_id, qty in sorted(quantities.items()):
        line = lines[line_id]
        stock_receive(
            actor=actor,
            warehouse=request.warehouse,
            sku=line.sku,
            quantity=qty,
            reference=request.number,
            reason=str(request.supplier or ""),
            at=at,
            kind=MovementKind.PURCHASE,
            reference_type=ReferenceType.PURCHASE,
            purchase_request=request,
        )
        line.received_quantity += qty
        line.save(update_fields=["received_quantity"])
    if all(line.outstanding == 0 for line in lines.values()):
        request.mark_received(at=at)
        request.save()
    return request
