"""Reads about orders for screens: the timeline as a user may see it, cheap
counts for very large lists, the orders the warehouse screens show, and the
demand replenishment is computed from."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory import selectors as stock_selectors
from inventory.models import Warehouse
from inventory.services.replenishment import DEMAND_DAYS, VOLATILITY_DAYS, StockDemand

from . import permissions
from .events import CONTACT_PARAMETERS, MONEY_PARAMETERS
from .finance_port import finance
from .models import ExceptionReason, Order, OrderEventType, OrderLine, OrderStatus, PaymentMethod


_STATUS_LABELS = dict(OrderStatus.choices)
_EXCEPTION_LABELS = dict(ExceptionReason.choices)
_EVENT_LABELS = dict(OrderEventType.choices)

# Event parameters stored as codes and shown by their labels: (event type, or None for
# every type; parameter) → {code: label}. The apps above orders add theirs at start-up
# (aftersales: a ticket's kind and reason), as orders may not import them.
TIMELINE_VALUE_LABELS: dict[tuple[str | None, str], dict] = {
    (None, "method"): dict(PaymentMethod.choices),
    (OrderEventType.CREATED, "source"): {
        "manual": gettext_lazy("entered by hand"),
        "import": gettext_lazy("imported from a platform file"),
        "split": gettext_lazy("split from another order"),
    },
}


def _value_label(event_type: str, key: str, value):
    labels = TIMELINE_VALUE_LABELS.get((event_type, key)) or TIMELINE_VALUE_LABELS.get((None, key), {})
    return labels.get(value, value) if isinstance(value, str) else value


def _describe(event, *, hide: set[str], currency: str, warehouse_names: dict[str, str]) -> str:
    parameters = {
        key: _value_label(event.type, key, value) for key, value in event.parameters.items() if key not in hide
    }
    if "warehouse" in parameters:
        parameters["warehouse"] = warehouse_names.get(parameters["warehouse"], parameters["warehouse"])
    parts = []
    if "from" in parameters and "to" in parameters:
        parts.append(f"{_STATUS_LABELS.get(parameters.pop('from'))} → {_STATUS_LABELS.get(parameters.pop('to'))}")
    if event.type in (OrderEventType.EXCEPTION_FLAGGED, OrderEventType.EXCEPTION_RESOLVED) and "reason" in parameters:
        parameters["reason"] = _EXCEPTION_LABELS.get(parameters["reason"], parameters["reason"])
    if "status" in parameters and event.type == OrderEventType.CREATED:
        parameters["status"] = _STATUS_LABELS.get(parameters["status"], parameters["status"])
    if "amount" in parameters:
        parameters["amount"] = f"{parameters['amount']} {currency}"
    if "changes" in parameters:
        changes = {k: v for k, v in parameters.pop("changes").items() if k not in hide}
        parts += [f"{Order._meta.get_field(k).verbose_name}: “{old}” → “{new}”" for k, (old, new) in changes.items()]
    if "quantities" in parameters:
        parts.append(", ".join(f"{sku} × {qty}" for sku, qty in parameters.pop("quantities").items()))
    labels = {
        "reason": _("reason"),
        "note": _("note"),
        "owner": _("owner"),
        "resolution": _("resolution"),
        "amount": _("amount"),
        "method": _("method"),
        "carrier": _("carrier"),
        "tracking_number": _("tracking number"),
        "warehouse": _("warehouse"),
        "source": _("source"),
        "status": _("status"),
        "ticket": _("ticket"),
        "invoice": _("invoice"),
        "refund": _("refund"),
        "kind": _("kind"),
        "ships_with": _("ships with"),
        "orders": _("orders"),
        "parent": _("split from"),
        "child": _("new order"),
        "wave": _("wave"),
        # issue 5
        "reference": _("reference"),
        "credits": _("credits"),
        "exposure": _("owed on account"),
        "credit_limit": _("credit limit"),
        "qc_reference": _("QC reference"),
        "qc_note": _("QC note"),
        "replacement": _("replacement order"),
        "sellable": _("sellable"),
        "damaged": _("damaged"),
        "to_owner": _("to"),
        "batch": _("import batch"),
        "platform_sku_code": _("platform SKU code"),
        "sku": _("SKU"),
        "lines": _("lines"),
    }
    if isinstance(parameters.get("orders"), list):
        parameters["orders"] = ", ".join(parameters["orders"])
    parts += [f"{labels.get(key, key)}: {value}" for key, value in parameters.items() if value not in ("", None)]
    return "; ".join(parts)


def order_timeline(order: Order, user, *, events=None) -> list[dict]:
    """The order's events (or those of ``events``, a queryset of them), oldest
    first, without what this user may not see."""
    hide = set()
    if not permissions.can_see_amounts(user):
        hide |= MONEY_PARAMETERS
    if not permissions.can_see_buyer_contact(user):
        hide |= CONTACT_PARAMETERS | {"customer"}
    rows = list((order.events if events is None else events).select_related("actor"))
    # Events name a warehouse by its code; people know it by its name.
    warehouse_names = (
        dict(Warehouse.objects.values_list("code", "name")) if any("warehouse" in e.parameters for e in rows) else {}
    )
    return [
        {
            "at": event.created_at,
            "label": _EVENT_LABELS.get(event.type, event.type),
            "type": event.type,
            "actor": event.actor.get_username() if event.actor else _("system"),
            "details": _describe(event, hide=hide, currency=order.currency, warehouse_names=warehouse_names),
        }
        for event in rows
    ]


def order_credit_figures(order: Order) -> dict:
    """What a credit decision weighs: what the customer owes on account besides this
    order (``exposure``) and its credit limit (None: no limit)."""
    return {
        "exposure": finance().customer_credit_exposure(order.customer, excluding_order_id=order.pk),
        "credit_limit": order.customer.credit_limit,
    }


def estimated_row_count(model) -> int:
    """The planner's row estimate (PostgreSQL) or the highest id (SQLite): O(1),
    unlike COUNT(*), and close enough to page through an unfiltered list."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        else:
            cursor.execute(f'SELECT MAX("{model._meta.pk.column}") FROM "{table}"')  # noqa: S608 - our own table name
        row = cursor.fetchone()
    return max(int(row[0] or 0), 0) if row else 0


# --- stock and fulfilment (issue 4) -----------------------------------------------------


def orders_waiting_for_stock(*, sku_ids=None):
    """Approved orders flagged "out of stock" (that one allocation resolves), most urgent first;
    with ``sku_ids``: only those that need one of these SKUs."""
    waiting = Order.objects.filter(
        status=OrderStatus.APPROVED, exception_reason=ExceptionReason.OUT_OF_STOCK, merged_into__isnull=True
    )
    if sku_ids is not None:
        waiting = waiting.filter(pk__in=OrderLine.objects.filter(sku_id__in=list(sku_ids)).values("order_id"))
    return waiting.order_by("-priority", F("promised_ship_by").asc(nulls_last=True), "id")


def orders_to_allocate():
    """Approved orders without an exception and not riding with another order, most urgent first."""
    return Order.objects.filter(
        status=OrderStatus.APPROVED, exception_reason="", merged_into__isnull=True
    ).order_by("-priority", F("promised_ship_by").asc(nulls_last=True), "id")
def _serving_warehouse(warehouses, province: str, country: str):
    for warehouse in warehouses:
        if warehouse.serves(province=province, country=country):
            return warehouse.pk
    return warehouses[0].pk if warehouses else None


def replenishment_demand(*, now) -> StockDemand:
    """What the orders of the last DEMAND_DAYS days ask of each warehouse's stock,
    for inventory's replenishment suggestions: an order not allocated yet counts
    for the warehouse that serves its ship-to region (and, while it waits for
    stock, as units waiting there)."""
    warehouses = list(Warehouse.objects.filter(is_active=True).order_by("priority", "code"))
    since = now - timedelta(days=DEMAND_DAYS)
    recent = timezone.localdate(now) - timedelta(days=VOLATILITY_DAYS - 1)
    units, orders, daily, waiting = Counter(), Counter(), defaultdict(Counter), Counter()
    rows = (
        OrderLine.objects.filter(order__placed_at__gte=since, sku__isnull=False)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list(
            "sku_id", "quantity", "order__warehouse_id", "order__ship_province", "order__ship_country",
            "order__placed_at", "order__status",
        )
        .iterator(chunk_size=5000)
    )
    for sku_id, quantity, warehouse_id, province, country, placed_at, status in rows:
        if warehouse_id is None:
            warehouse_id = _serving_warehouse(warehouses, province, country)
            if status in (OrderStatus.PAID, OrderStatus.APPROVED, OrderStatus.ON_HOLD):
                waiting[warehouse_id, sku_id] += quantity
        if warehouse_id is None:
            continue
        key = (warehouse_id, sku_id)
        units[key] += quantity
        orders[key] += 1
        day = timezone.localdate(placed_at)
        if day >= recent:
            daily[key][day] += quantity
    days = [recent + timedelta(days=n) for n in range(VOLATILITY_DAYS)]
    series = {key: [daily[key].get(day, 0) for day in days] for key in units}
    return StockDemand(units=units, orders=orders, series=series, waiting=waiting)


# --- the warehouse screens (orders.warehouse): no prices, no phone numbers, ever —
# the querysets below load only what the screens show. ---


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
    locations = stock_selectors.bin_locations(wave.warehouse, {line.sku_id for line in lines})
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


# --- imports (issue 3) ------------------------------------------------------------------------


def orders_by_platform_id(channel, platform_ids, fields: tuple[str, ...]) -> list[tuple]:
    """``fields`` of the channel's orders with these platform order ids.

    Looked up by platform order id alone, the channel checked on the rows:
    SQLite's planner otherwise walks the channel's index (all its orders) for
    every lookup, which made a re-import of 100,000 orders 14× slower per
    chunk than this and grow with the table.
    """
    rows = Order.objects.filter(platform_order_id__in=list(platform_ids)).order_by().values_list("channel_id", *fields)
    return [row[1:] for row in rows if row[0] == channel.pk]
