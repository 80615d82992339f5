"""Reads about stock that orders and screens need (an order and its lines are
taken as they come: inventory knows nothing of orders)."""

from collections import Counter

from django.db import connection
from django.db.models import F, Sum
from django.db.models.functions import Greatest

from .models import SKU, PurchaseRequest, PurchaseStatus, StockLevel, Warehouse


def quantities_by_sku(lines) -> Counter:
    needed = Counter()
    for line in lines:
        if line.sku_id is not None:
            needed[line.sku_id] += line.quantity
    return needed


def _available_by_warehouse(sku_ids) -> dict[int, dict[int, int]]:
    available: dict[int, dict[int, int]] = {}
    rows = StockLevel.objects.filter(sku_id__in=sku_ids).values_list("warehouse_id", "sku_id", "on_hand", "reserved")
    for warehouse_id, sku_id, on_hand, reserved in rows:
        available.setdefault(warehouse_id, {})[sku_id] = on_hand - reserved
    return available


def shortages(needed: dict[int, int], in_stock: dict[int, int], codes: dict[int, str]) -> list[dict]:
    """The SKUs of ``needed`` (SKU id → units) that ``in_stock`` (SKU id → units
    available) lacks, by SKU id: [{sku (its code), needed, available}]."""
    return [
        {"sku": codes[sku_id], "needed": qty, "available": max(in_stock.get(sku_id, 0), 0)}
        for sku_id, qty in sorted(needed.items())
        if in_stock.get(sku_id, 0) < qty
    ]


def stock_shortages_for_order(order, warehouse_id: int) -> list[dict]:
    """What the warehouse lacks to ship the whole order: [{sku, needed, available}]."""
    needed = quantities_by_sku(order.lines.all())
    in_stock = _available_by_warehouse(needed).get(warehouse_id, {})
    short = [sku_id for sku_id, qty in needed.items() if in_stock.get(sku_id, 0) < qty]
    return shortages(needed, in_stock, dict(SKU.objects.filter(pk__in=short).values_list("pk", "code")))


def active_warehouses() -> list[Warehouse]:
    # Raw SQL: read on every allocation, where the ORM's query compilation costs more than the query.
    return list(Warehouse.objects.raw(f"SELECT * FROM {Warehouse._meta.db_table} WHERE is_active ORDER BY id"))  # noqa: S608


def _preference(order, warehouse: Warehouse, in_stock: dict[int, int]):
    """Sort key: serves the ship-to region, then priority, then most of the order's goods on the shelf."""
    serves = warehouse.serves(province=order.ship_province, country=order.ship_country)
    return (not serves, warehouse.priority, -sum(in_stock.values()), warehouse.pk)


def warehouses_for_order(order, needed: dict[int, int], available, warehouses) -> list[Warehouse]:
    """Active warehouses that can ship the whole order (``needed``: SKU id → units), best first."""
    if not needed:
        return []
    candidates = []
    for warehouse in warehouses:
        in_stock = available.get(warehouse.pk, {})
        if all(in_stock.get(sku_id, 0) >= qty for sku_id, qty in needed.items()):
            candidates.append((_preference(order, warehouse, in_stock), warehouse))
    return [warehouse for _key, warehouse in sorted(candidates, key=lambda item: item[0])]


def split_by_warehouse(order, needed: dict[int, int], available, warehouses) -> list[tuple[Warehouse, dict[int, int]]] | None:
    """A split proposal when no single warehouse can ship the whole order: as few
    warehouses as possible, each shipping whole SKUs (SKU id → units), preferred
    warehouses first. None if some SKU is not available in full in any one warehouse."""
    remaining = dict(needed)
    plan = []
    while remaining:
        best = None
        for warehouse in warehouses:
            in_stock = available.get(warehouse.pk, {})
            covers = {sku_id: qty for sku_id, qty in remaining.items() if in_stock.get(sku_id, 0) >= qty}
            if covers:
                key = (-len(covers), _preference(order, warehouse, in_stock))
                if best is None or key < best[0]:
                    best = (key, warehouse, covers)
        if best is None:
            return None
        _key, warehouse, covers = best
        plan.append((warehouse, covers))
        for sku_id in covers:
            del remaining[sku_id]
    return plan


def available_in_active_warehouses(sku_ids) -> tuple[dict[int, dict[int, int]], list[Warehouse]]:
    """Warehouse id → SKU id → on hand − reserved, in active warehouses, and those
    warehouses (the ones holding any of the SKUs), in one query without locks
    (to choose a warehouse; lock before reserving).

    Raw SQL: the allocation path runs it for every order, and the ORM's query
    compilation would cost more than the query (benchmarks/allocation.py)."""
    ids = [int(pk) for pk in sku_ids]
    available: dict[int, dict[int, int]] = {}
    warehouses: dict[int, Warehouse] = {}
    regions = Warehouse._meta.get_field("regions")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level.warehouse_id, level.sku_id, level.on_hand - level.reserved, "
            "warehouse.code, warehouse.name, warehouse.priority, warehouse.regions "
            f"FROM {StockLevel._meta.db_table} level JOIN {Warehouse._meta.db_table} warehouse "  # noqa: S608
            "ON warehouse.id = level.warehouse_id "
            f"WHERE warehouse.is_active AND level.sku_id IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )
        for warehouse_id, sku_id, units, code, name, priority, served in cursor.fetchall():
            available.setdefault(warehouse_id, {})[sku_id] = units
            if warehouse_id not in warehouses:
                warehouses[warehouse_id] = Warehouse(
                    pk=warehouse_id,
                    code=code,
                    name=name,
                    priority=priority,
                    regions=regions.from_db_value(served, None, connection),
                    is_active=True,
                )
    return available, sorted(warehouses.values(), key=lambda warehouse: warehouse.pk)


def available_to_sell_by_sku(*, sku_ids=None) -> dict[int, int]:
    """Units each SKU can still be sold on the channels: over active warehouses,
    on hand − reserved − safety stock, each warehouse counted at zero at worst."""
    levels = StockLevel.objects.filter(warehouse__is_active=True)
    if sku_ids is not None:
        levels = levels.filter(sku_id__in=sku_ids)
    rows = levels.values("sku_id").annotate(
        units=Sum(Greatest(F("on_hand") - F("reserved") - F("safety_stock"), 0))
    )
    return {row["sku_id"]: row["units"] for row in rows}


def bin_locations(warehouse, sku_ids) -> dict[int, str]:
    return dict(StockLevel.objects.filter(warehouse=warehouse, sku_id__in=list(sku_ids)).values_list("sku_id", "location"))


def purchases_to_receive(warehouse):
    return (
        PurchaseRequest.objects.filter(warehouse=warehouse, status=PurchaseStatus.ORDERED)
        .select_related("supplier")
        .annotate(expected_units=Sum("lines__quantity"), received_units=Sum("lines__received_quantity"))
        .order_by("expected_at", "id")
    )


