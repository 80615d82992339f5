"""Stock services: every change of a stock level is a ledger movement written
in the same transaction (on_hand == Σ on_hand_delta, reserved == Σ reserved_delta).
Callers hold the order's lock already; these lock stock rows sorted by id."""

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import DomainError, NotPermitted

from . import locks
from .models import MovementKind, StockLevel, StockMovement
from .selectors import quantities_by_sku, stock_shortages_for_order


class InsufficientStock(DomainError):
    """``anywhere``: no single warehouse has it all (available = the most in any one warehouse)."""

    def __init__(self, order, shortages, *, anywhere=False):
        self.shortages = shortages
        detail = "; ".join(
            _("%(sku)s: need %(needed)s, available %(available)s") % shortage for shortage in shortages
        )
        message = (
            _("%(order)s: no warehouse has enough stock for the whole order. %(detail)s")
            if anywhere
            else _("%(order)s: not enough stock. %(detail)s")
        )
        super().__init__(message % {"order": order.number, "detail": detail})


def _apply(
    level: StockLevel,
    *,
    kind,
    on_hand_delta=0,
    reserved_delta=0,
    quarantined_delta=0,
    actor,
    at,
    order=None,
    reference="",
    reason="",
):
    StockLevel.objects.filter(pk=level.pk).update(
        on_hand=F("on_hand") + on_hand_delta,
        reserved=F("reserved") + reserved_delta,
        quarantined=F("quarantined") + quarantined_delta,
    )
    return StockMovement(
        stock_level=level,
        kind=kind,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        quarantined_delta=quarantined_delta,
        order=order,
        reference=reference or (order.number if order else ""),
        reason=reason,
        actor=actor,
        created_at=at,
    )


@transaction.atomic
def stock_reserve_for_order(*, order, lines, actor, at) -> None:
    """Reserve every line of the order in its assigned warehouse, or nothing."""
    needed = quantities_by_sku(lines)
    levels = locks.stock_levels_for_update(warehouse_id=order.warehouse_id, sku_ids=list(needed))
    shortages = stock_shortages_for_order(order, order.warehouse_id, lines)
    if shortages:
        raise InsufficientStock(order, shortages)
    StockMovement.objects.bulk_create(
        _apply(levels[sku_id], kind=MovementKind.RESERVE, reserved_delta=qty, actor=actor, at=at, order=order)
        for sku_id, qty in sorted(needed.items(), key=lambda item: levels[item[0]].pk)
    )


def _settle_reservations(*, order, actor, at, kind) -> dict[str, int]:
    """Release (kind=RELEASE) or ship (kind=SHIP) what is still reserved for the order."""
    outstanding = (
        StockMovement.objects.filter(order=order)
        .values("stock_level")
        .annotate(reserved=Sum("reserved_delta"))
        .filter(reserved__gt=0)
    )
    reserved = {row["stock_level"]: row["reserved"] for row in outstanding}
    levels = locks.stock_levels_by_id_for_update(reserved)
    consumed = -1 if kind == MovementKind.SHIP else 0
    StockMovement.objects.bulk_create(
        _apply(
            level,
            kind=kind,
            on_hand_delta=consumed * reserved[level_id],
            reserved_delta=-reserved[level_id],
            actor=actor,
            at=at,
            order=order,
        )
        for level_id, level in levels.items()
    )
    codes = dict(StockLevel.objects.filter(pk__in=reserved).values_list("pk", "sku__code"))
    return {codes[level_id]: qty for level_id, qty in sorted(reserved.items())}


@transaction.atomic
def stock_release_for_order(*, order, actor, at) -> dict[str, int]:
    return _settle_reservations(order=order, actor=actor, at=at, kind=MovementKind.RELEASE)


@transaction.atomic
def stock_ship_for_order(*, order, actor, at) -> dict[str, int]:
    return _settle_reservations(order=order, actor=actor, at=at, kind=MovementKind.SHIP)


@transaction.atomic
def stock_receive(*, actor, warehouse, sku, quantity: int, reference: str = "", reason: str = "", at=None) -> StockLevel:
    """Goods arrived: on hand goes up by ``quantity``."""
    if actor is not None and not actor.has_perm("inventory.receive_stock"):
        raise NotPermitted(_("Your role may not receive stock."))
    if quantity <= 0:
        raise DomainError(_("A receipt must add at least one unit."))
    StockLevel.objects.get_or_create(warehouse=warehouse, sku=sku)
    level = locks.stock_levels_for_update(warehouse_id=warehouse.pk, sku_ids=[sku.pk])[sku.pk]
    _apply(
        level,
        kind=MovementKind.RECEIPT,
        on_hand_delta=quantity,
        actor=actor,
        at=at or timezone.now(),
        reference=reference,
        reason=reason,
    ).save()
    level.refresh_from_db()
    return level


@transaction.atomic
def stock_receive_return(
    *, actor, warehouse, sku, quantity: int, sellable: bool, order=None, reference: str = "", reason: str = "", at=None
):
    """Goods a buyer sent back, after inspection: sellable units go back on hand,
    damaged ones into the warehouse's quarantine (not sellable, not on hand).

    The caller (the after-sales service) holds the order's lock already and has
    checked its own permissions; this only moves stock through the ledger.
    """
    if quantity <= 0:
        raise DomainError(_("A return must bring back at least one unit."))
    StockLevel.objects.get_or_create(warehouse=warehouse, sku=sku)
    level = locks.stock_levels_for_update(warehouse_id=warehouse.pk, sku_ids=[sku.pk])[sku.pk]
    _apply(
        level,
        kind=MovementKind.RETURN if sellable else MovementKind.QUARANTINE,
        on_hand_delta=quantity if sellable else 0,
        quarantined_delta=0 if sellable else quantity,
        actor=actor,
        at=at or timezone.now(),
        order=order,
        reference=reference,
        reason=reason,
    ).save()
    level.refresh_from_db()
    return level
