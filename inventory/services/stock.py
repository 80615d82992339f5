"""Stock services: every change of a stock level is a ledger movement written
in the same transaction (on_hand == Σ on_hand_delta, reserved == Σ reserved_delta),
each with its kind, reason, reference and actor.
Callers hold the order's lock already; these lock stock rows sorted by id."""

from collections import Counter

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.record_changes import record_update
from core.errors import DomainError, require_permission

from .. import locks
from ..models import SKU, AdjustmentReason, MovementKind, ReferenceType, StockCount, StockLevel, StockMovement
from .arrivals import stock_arrived


class InsufficientStock(DomainError):
    """The order cannot be allocated now.

    ``shortages``: [{sku, needed, available}]; ``anywhere``: no single warehouse
    has it all (available = the most in any one warehouse); ``missing``: SKU
    codes that all warehouses together do not have enough of; ``split``: where
    each SKU could ship from if the order were split by warehouse, as
    [(warehouse code, {sku code: units})], or None when no split would do.
    """

    def __init__(self, order, shortages, *, anywhere=False, missing=None, split=None):
        self.shortages = shortages
        self.missing = missing if missing is not None else [shortage["sku"] for shortage in shortages]
        self.split = split
        detail = "; ".join(
            _("%(sku)s: need %(needed)s, available %(available)s") % shortage for shortage in shortages
        )
        message = (
            _("%(order)s: no warehouse has enough stock for the whole order. %(detail)s")
            if anywhere
            else _("%(order)s: not enough stock. %(detail)s")
        )
        message %= {"order": order.number, "detail": detail}
        if split:
            message += " " + _("It could ship split by warehouse: %(split)s.") % {"split": describe_split(split)}
        super().__init__(message)


def describe_split(split) -> str:
    return "; ".join(
        f"{code}: " + ", ".join(f"{sku} × {qty}" for sku, qty in quantities.items()) for code, quantities in split
    )


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
    reference_type="",
    purchase_request=None,
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
        reference_type=reference_type or (ReferenceType.ORDER if order else ""),
        purchase_request=purchase_request,
        reason=reason,
        actor=actor,
        created_at=at,
    )


# Columns of the ledger rows reserve_locked writes.
_MOVEMENT_COLUMNS = (
    "stock_level_id",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "quarantined_delta",
    "order_id",
    "reference",
    "reference_type",
    "purchase_request_id",
    "reason",
    "actor_id",
    "created_at",
)


def reserve_locked(*, order, levels: dict[int, StockLevel], needed: dict[int, int], actor, at) -> None:
    """Reserve ``needed`` (SKU id → units) for the order in stock rows the caller
    has locked and checked (inventory.locks); writes one movement per SKU."""
    reserve_locked_many([(order, levels[sku_id], qty) for sku_id, qty in needed.items()], actor=actor, at=at)


def reserve_locked_many(reservations, *, actor, at) -> None:
    """Reserve, for each (order, stock level, units), in rows the caller has
    locked and checked; one ledger movement each.

    The hot path of allocation, run while the stock rows are locked: one
    UPDATE and one INSERT in plain SQL whatever the number of rows (the ORM's
    query building cost more than the statements; benchmarks/allocation.py)."""
    if not reservations:
        return
    per_level = Counter()
    for _order, level, qty in reservations:
        per_level[level.pk] += qty
    ids = sorted(per_level)
    created_at = StockMovement._meta.get_field("created_at").get_db_prep_value(at, connection)
    actor_id = actor.pk if actor else None
    rows = [
        (level.pk, MovementKind.RESERVE.value, 0, qty, 0, order.pk, order.number, ReferenceType.ORDER.value, None, "",
         actor_id, created_at)
        for order, level, qty in sorted(reservations, key=lambda item: (item[0].pk, item[1].pk))
    ]
    placeholders = "(" + ", ".join(["%s"] * len(_MOVEMENT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockLevel._meta.db_table} SET reserved = reserved + CASE id "  # noqa: S608
            f"{' '.join('WHEN %s THEN %s' for _ in ids)} END WHERE id IN ({', '.join(['%s'] * len(ids))})",
            [value for level_id in ids for value in (level_id, per_level[level_id])] + ids,
        )
        cursor.execute(
            f"INSERT INTO {StockMovement._meta.db_table} ({', '.join(_MOVEMENT_COLUMNS)}) "  # noqa: S608
            f"VALUES {', '.join([placeholders] * len(rows))}",
            [value for row in rows for value in row],
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
    released = _settle_reservations(order=order, actor=actor, at=at, kind=MovementKind.RELEASE)
    if released and order.warehouse_id:
        # Units freed for the orders waiting on them.
        stock_arrived(sku_ids=SKU.objects.filter(code__in=released).values_list("pk", flat=True))
    return released


@transaction.atomic
def stock_move_reservation(*, from_order, to_order, quantities: dict[int, int], actor, at) -> None:
    """Units reserved for one order become reserved for the other (a split, or a
    split undone), in the from-order's warehouse: a release and a reserve per SKU
    on the ledger, nothing on hand moves."""
    levels = locks.stock_levels_for_update(warehouse_id=from_order.warehouse_id, sku_ids=list(quantities))
    movements = []
    for sku_id, qty in sorted(quantities.items(), key=lambda item: levels[item[0]].pk):
        level = levels[sku_id]
        movements.append(_apply(level, kind=MovementKind.RELEASE, reserved_delta=-qty, actor=actor, at=at, order=from_order))
        movements.append(_apply(level, kind=MovementKind.RESERVE, reserved_delta=qty, actor=actor, at=at, order=to_order))
    StockMovement.objects.bulk_create(movements)


@transaction.atomic
def stock_ship_for_order(*, order, actor, at) -> dict[str, int]:
    return _settle_reservations(order=order, actor=actor, at=at, kind=MovementKind.SHIP)


def _level_for_update(warehouse, sku) -> StockLevel:
    StockLevel.objects.get_or_create(warehouse=warehouse, sku=sku)
    return locks.stock_levels_for_update(warehouse_id=warehouse.pk, sku_ids=[sku.pk])[sku.pk]


@transaction.atomic
def stock_receive(
    *,
    actor,
    warehouse,
    sku,
    quantity: int,
    reference: str = "",
    reason: str = "",
    at=None,
    kind=MovementKind.RECEIPT,
    reference_type=ReferenceType.RECEIPT,
    purchase_request=None,
) -> StockLevel:
    """Goods arrived: on hand goes up by ``quantity``; orders waiting for the SKU are retried."""
    require_permission(actor, "inventory.receive_stock", _("Your role may not receive stock."))
    if quantity <= 0:
        raise DomainError(_("A receipt must add at least one unit."))
    level = _level_for_update(warehouse, sku)
    _apply(
        level,
        kind=kind,
        on_hand_delta=quantity,
        actor=actor,
        at=at or timezone.now(),
        reference=reference,
        reference_type=reference_type,
        purchase_request=purchase_request,
        reason=reason,
    ).save()
    stock_arrived(sku_ids=[sku.pk])
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
    level = _level_for_update(warehouse, sku)
    _apply(
        level,
        kind=MovementKind.RETURN if sellable else MovementKind.QUARANTINE,
        on_hand_delta=quantity if sellable else 0,
        quarantined_delta=0 if sellable else quantity,
        actor=actor,
        at=at or timezone.now(),
        order=order,
        reference=reference,
        reference_type=ReferenceType.RETURN,
        reason=reason,
    ).save()
    if sellable:
        stock_arrived(sku_ids=[sku.pk])
    level.refresh_from_db()
    return level


def _refuse_below_reserved(level: StockLevel, new_on_hand: int) -> None:
    if new_on_hand < level.reserved:
        raise DomainError(
            _(
                "%(level)s: %(reserved)s units are reserved for orders, so on hand cannot go down to %(on_hand)s. "
                "Undo the allocation of some orders first."
            )
            % {"level": level, "reserved": level.reserved, "on_hand": new_on_hand}
        )


@transaction.atomic
def stock_adjust(*, actor, warehouse, sku, quantity: int, reason: str, note: str = "", at=None) -> StockLevel:
    """Correct on hand by ``quantity`` (negative: units gone) for a reason from the list."""
    require_permission(actor, "inventory.adjust_stock", _("Your role may not adjust stock."))
    if reason not in AdjustmentReason.values:
        raise DomainError(_("Choose a reason for the adjustment from the list."))
    if not quantity:
        raise DomainError(_("An adjustment must change the stock by at least one unit."))
    note = note.strip()
    if reason == AdjustmentReason.OTHER and not note:
        raise DomainError(_("Say what happened: “Other” needs a note."))
    level = _level_for_update(warehouse, sku)
    _refuse_below_reserved(level, level.on_hand + quantity)
    if level.on_hand + quantity < 0:
        raise DomainError(
            _("%(level)s has %(on_hand)s on hand; it cannot lose %(quantity)s.")
            % {"level": level, "on_hand": level.on_hand, "quantity": -quantity}
        )
    at = at or timezone.now()
    label = AdjustmentReason(reason).label
    _apply(
        level,
        kind=MovementKind.ADJUSTMENT,
        on_hand_delta=quantity,
        actor=actor,
        at=at,
        reference=f"ADJ-{timezone.localtime(at):%Y%m%d}",
        reference_type=ReferenceType.ADJUSTMENT,
        reason=f"{label}: {note}" if note else str(label),
    ).save()
    if quantity > 0:
        stock_arrived(sku_ids=[sku.pk])
    level.refresh_from_db()
    return level


def _count(level: StockLevel, *, counted: int, actor, at, note: str, kind, reference_type, reference="") -> StockCount:
    _refuse_below_reserved(level, counted)
    count = StockCount.objects.create(
        stock_level=level, expected=level.on_hand, counted=counted, note=note, counted_by=actor, counted_at=at
    )
    if count.difference:
        _apply(
            level,
            kind=kind,
            on_hand_delta=count.difference,
            actor=actor,
            at=at,
            reference=reference or str(count),
            reference_type=reference_type,
            reason=note or _("Counted %(counted)s, books had %(expected)s") % {"counted": counted, "expected": count.expected},
        ).save()
    return count


@transaction.atomic
def stock_count_record(*, actor, warehouse, sku, counted: int, note: str = "", at=None) -> StockCount:
    """What was found on the shelf: on hand is set to ``counted`` by a COUNT movement of the difference."""
    require_permission(actor, "inventory.count_stock", _("Your role may not record stock counts."))
    if counted is None or counted < 0:
        raise DomainError(_("A count is a whole number of units, zero or more."))
    level = _level_for_update(warehouse, sku)
    count = _count(
        level,
        counted=counted,
        actor=actor,
        at=at or timezone.now(),
        note=note.strip(),
        kind=MovementKind.COUNT,
        reference_type=ReferenceType.COUNT,
    )
    if count.difference > 0:
        stock_arrived(sku_ids=[sku.pk])
    return count


STOCK_LEVEL_SETTINGS = frozenset({"safety_stock", "location"})


@transaction.atomic
def stock_level_update_settings(*, actor, level_id: int, safety_stock: int, location: str) -> StockLevel:
    """Safety stock and bin location: settings of a stock level, not quantities (no ledger movement)."""
    require_permission(actor, "inventory.change_stocklevel", _("Your role may not change stock settings."))
    if safety_stock is None or safety_stock < 0:
        raise DomainError(_("Safety stock is a whole number of units, zero or more."))
    level = locks.stock_levels_by_id_for_update([level_id])[level_id]
    record_update(
        level,
        actor=actor,
        values={"safety_stock": safety_stock, "location": location.strip().upper()},
        editable=STOCK_LEVEL_SETTINGS,
    )
    return level
