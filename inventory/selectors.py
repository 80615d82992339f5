"""Reads about stock that orders and screens need."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from orders.models import Order, OrderLine, OrderStatus

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


# --- the warehouse screens: no prices, no phone numbers, ever — the querysets
# below load only what the screens show. ---


# The only order fields the warehouse screens read.
ORDER_FIELDS = (
    "id",
    "number",
    "status",
    "channel_id",
    "channel__name",
    "priority",
    "promised_ship_by",
    "carrier",
    "tracking_number",
    "warehouse_id",
    "merged_into_id",
    "ship_name",
    "ship_country",
    "ship_province",
    "ship_city",
    "ship_district",
    "ship_address",
    "ship_postcode",
    "exception_reason",
    "placed_at",
)
LINE_FIELDS = ("id", "order_id", "sku_id", "sku__code", "sku__name", "sku__barcode", "platform_sku_code", "title", "quantity")


def _lines():
    return OrderLine.objects.select_related("sku").only(*LINE_FIELDS).order_by("id")


def warehouse_orders():
    """Orders as the warehouse may see them."""
    return Order.objects.select_related("channel").only(*ORDER_FIELDS)


def pick_queue(warehouse):
    """Allocated orders of the warehouse waiting for a wave (merged orders under the one they ship with)."""
    return (
        warehouse_orders()
        .filter(warehouse=warehouse, status=OrderStatus.ALLOCATED, merged_into__isnull=True)
        .prefetch_related(
            Prefetch("lines", queryset=_lines()),
            Prefetch("merged_orders", queryset=warehouse_orders().prefetch_related(Prefetch("lines", queryset=_lines()))),
        )
        .order_by("-priority", "promised_ship_by", "id")
    )


def queue_counts(warehouse) -> dict[str, int]:
    now = timezone.now()
    orders = Order.objects.filter(warehouse=warehouse, merged_into__isnull=True)
    return orders.aggregate(
        to_pick=Count("pk", filter=Q(status=OrderStatus.ALLOCATED)),
        late=Count("pk", filter=Q(status=OrderStatus.ALLOCATED, promised_ship_by__lt=now)),
        picking=Count("pk", filter=Q(status=OrderStatus.PICKING)),
        packed=Count("pk", filter=Q(status=OrderStatus.PACKED)),
    )


@dataclass
class PickRow:
    location: str
    sku_code: str
    sku_name: str
    barcode: str
    quantity: int = 0
    orders: list[str] = field(default_factory=list)


def pick_list(wave) -> list[PickRow]:
    """The wave's units grouped by bin location and SKU, in walking order."""
    order_ids = list(wave.wave_orders.values_list("order_id", flat=True))
    lines = _lines().filter(order_id__in=order_ids).select_related("order").only(*LINE_FIELDS, "order__number")
    locations = bin_locations(wave.warehouse, {line.sku_id for line in lines})
    rows: dict[tuple, PickRow] = {}
    for line in lines:
        code = line.sku.code if line.sku_id else line.platform_sku_code
        key = (locations.get(line.sku_id) or "", code)
        if key not in rows:
            rows[key] = PickRow(
                key[0], code, line.sku.name if line.sku_id else line.title, line.sku.barcode if line.sku_id else ""
            )
        rows[key].quantity += line.quantity
        rows[key].orders.append(line.order.number)
    return [rows[key] for key in sorted(rows, key=lambda key: (key[0] == "", key))]


def find_order(scan: str):
    """An order by what a scanner reads: its number, its platform order id or its tracking number."""
    scan = (scan or "").strip()
    if not scan:
        return None
    found = warehouse_orders().filter(number=scan.upper()).first()
    if found is None:
        found = warehouse_orders().filter(Q(platform_order_id=scan) | Q(tracking_number=scan)).order_by("-id").first()
    return found


def parcel(order):
    """The order and those merged into it, each with its lines, for packing and slips."""
    master_id = order.merged_into_id or order.pk
    return list(
        warehouse_orders()
        .filter(Q(pk=master_id) | Q(merged_into_id=master_id))
        .exclude(status=OrderStatus.CANCELLED)
        .prefetch_related(Prefetch("lines", queryset=_lines()))
        .order_by("id")
    )


def bin_locations(warehouse, sku_ids) -> dict[int, str]:
    return dict(StockLevel.objects.filter(warehouse=warehouse, sku_id__in=list(sku_ids)).values_list("sku_id", "location"))


def purchases_to_receive(warehouse):
    return (
        PurchaseRequest.objects.filter(warehouse=warehouse, status=PurchaseStatus.ORDERED)
        .select_related("supplier")
        .annotate(expected_units=Sum("lines__quantity"), received_units=Sum("lines__received_quantity"))
        .order_by("expected_at", "id")
    )


