"""The warehouse's steps: receiving the goods a buyer sent back, then
inspecting them before they go back to stock through the ledger (sellable
units on hand, damaged ones into the warehouse's quarantine)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as stock_services
from inventory.models import StockLevel, Warehouse
from core.errors import DomainError

from ..locks import ticket_for_update
from ..models import ReturnLine, ReturnRequest
from .ticket_steps import check_step, run_step


def _units(lines) -> str:
    """"TEA-1 × 2, TEA-2 × 1": units per SKU for the timeline (no money)."""
    return ", ".join(f"{code} × {units}" for code, units in lines if units)


@transaction.atomic
def return_receive(
    *, actor, ticket_id: int, quantities: dict[int, int], warehouse_id: int | None = None, note: str = "", at=None
) -> ReturnRequest:
    """The parcel arrived: ``quantities`` maps ticket line id → units found in it
    (fewer than claimed is possible, more is not). Stock does not move yet."""
    order, _order_lines, ticket = ticket_for_update(ticket_id)
    check_step(ticket, "receive", actor)
    lines = {line.pk: line for line in ticket.lines.select_related("order_line__sku")}
    if set(quantities) - set(lines):
        raise DomainError(_("Those lines are not on ticket %(ticket)s.") % {"ticket": ticket.number})
    for line_id, units in quantities.items():
        line = lines[line_id]
        if units is None or units < 0 or units > line.quantity:
            raise DomainError(
                _("%(title)s: between 0 and %(quantity)s units can be received for this ticket.")
                % {"title": line.order_line.title, "quantity": line.quantity}
            )
    if not any(quantities.values()):
        raise DomainError(_("Nothing received: enter the units that came back, or cancel the ticket."))
    warehouse_id = warehouse_id or order.warehouse_id
    warehouse = Warehouse.objects.filter(pk=warehouse_id, is_active=True).first() if warehouse_id else None
    if warehouse is None:
        raise DomainError(_("Choose the warehouse the goods came back to."))
    for line_id, line in lines.items():
        line.received_quantity = quantities.get(line_id, 0)
    ReturnLine.objects.bulk_update(lines.values(), ["received_quantity"])
    at = at or timezone.now()
    received = [(line.order_line.sku.code, line.received_quantity) for line in lines.values()]
    return run_step(
        ticket,
        "receive",
        order=order,
        actor=actor,
        at=at,
        method_kwargs={"at": at, "actor": actor, "warehouse": warehouse},
        warehouse=warehouse.code,
        quantities=dict((code, units) for code, units in received if units),
        note=(note or "").strip(),
    )


@transaction.atomic
def return_inspect(
    *, actor, ticket_id: int, results: dict[int, tuple[int, int]], qc_reference: str, qc_note: str = "", at=None
) -> ReturnRequest:
    """QC result per ticket line: ``results`` maps ticket line id → (sellable, damaged)
    units, which together are exactly the units received. Sellable units go back
    on hand, damaged ones into quarantine, through the stock ledger."""
    order, _order_lines, ticket = ticket_for_update(ticket_id, lines=True)
    check_step(ticket, "inspect", actor)
    qc_reference = (qc_reference or "").strip()
    if not qc_reference:
        raise DomainError(_("The QC reference (inspection sheet or photo number) is required."))
    lines = {line.pk: line for line in ticket.lines.select_related("order_line__sku")}
    if set(results) - set(lines):
        raise DomainError(_("Those lines are not on ticket %(ticket)s.") % {"ticket": ticket.number})
    for line_id, line in lines.items():
        sellable, damaged = results.get(line_id, (0, 0))
        if sellable is None or damaged is None or sellable < 0 or damaged < 0 or sellable + damaged != line.received_quantity:
            raise DomainError(
                _("%(title)s: %(received)s units were received; say how many of them are sellable and how many damaged.")
                % {"title": line.order_line.title, "received": line.received_quantity}
            )
        line.sellable_quantity, line.damaged_quantity = sellable, damaged
    ReturnLine.objects.bulk_update(lines.values(), ["sellable_quantity", "damaged_quantity"])
    at = at or timezone.now()
    # Stock rows after the order's, existing ones in id order (a new row has no neighbour to deadlock with).
    level_ids = dict(
        StockLevel.objects.filter(
            warehouse=ticket.warehouse, sku__in=[line.order_line.sku_id for line in lines.values()]
        ).values_list("sku_id", "pk")
    )
    moves = []
    for line in lines.values():
        sku = line.order_line.sku
        moves += [(level_ids.get(sku.pk, float("inf")), sku.pk, sku, units, sellable)
                  for units, sellable in ((line.sellable_quantity, True), (line.damaged_quantity, False)) if units]
    reason = _("After-sales %(ticket)s, QC %(qc)s") % {"ticket": ticket.number, "qc": qc_reference}
    for _level, _sku_id, sku, units, sellable in sorted(moves, key=lambda move: move[:2]):
        stock_services.stock_receive_return(
            actor=actor,
            warehouse=ticket.warehouse,
            sku=sku,
            quantity=units,
            sellable=sellable,
            order=order,
            reference=ticket.number,
            reason=reason,
            at=at,
        )
    codes = [(line.order_line.sku.code, line) for line in lines.values()]
    return run_step(
        ticket,
        "inspect",
        order=order,
        actor=actor,
        at=at,
        method_kwargs={"at": at, "actor": actor, "qc_reference": qc_reference, "qc_note": (qc_note or "").strip()},
        qc_reference=qc_reference,
        qc_note=(qc_note or "").strip(),
        sellable=_units((code, line.sellable_quantity) for code, line in codes),
        damaged=_units((code, line.damaged_quantity) for code, line in codes),
    )
