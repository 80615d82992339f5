"""Reads for the warehouse screens: no prices, no phone numbers, ever — the
querysets here load only what the screens show."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from inventory.models import PurchaseRequest, PurchaseStatus, StockLevel
from orders.models import Order, OrderLine, OrderStatus

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
    locations = dict(
        StockLevel.objects.filter(warehouse=wave.warehouse, sku_id__in={line.sku_id for line in lines}).values_list(
            "sku_id", "location"
        )
    )
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


def lines_by_order(orders) -> dict[int, list]:
    grouped = defaultdict(list)
    for order in orders:
        grouped[order.pk] = list(order.lines.all())
    return grouped
