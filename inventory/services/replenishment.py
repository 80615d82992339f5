"""Replenishment suggestions: for each SKU in each warehouse, how many units to
buy so that stock lasts through the supplier's lead time and a review period,
given the demand of the last 30 days and its volatility over the last 7.

    daily demand   d = units ordered in 30 days / 30
    volatility     σ = standard deviation of the units ordered per day, last 7 days
    safety         s = max(safety stock set on the level, ⌈Z · σ · √lead time⌉)
    reorder point  R = ⌈d · lead time + s⌉
    suggestion     when available + on order ≤ R: ⌈R + d · REVIEW_DAYS⌉ − available − on order

"Available" is on hand − reserved − units of orders waiting for stock there.
"""

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum

from ..models import SKU, PurchaseRequestLine, PurchaseStatus, ReplenishmentSuggestion, StockLevel

DEMAND_DAYS = 30
VOLATILITY_DAYS = 7
REVIEW_DAYS = 14  # suggestions are bought to last this long past the lead time
SERVICE_LEVEL_Z = Decimal("1.65")  # ≈ 95 % of days without running out
OPEN_PURCHASE_STATUSES = (PurchaseStatus.SUBMITTED, PurchaseStatus.APPROVED, PurchaseStatus.ORDERED)
TWO_PLACES = Decimal("0.01")


@dataclass
class StockDemand:
    """What orders ask of stock, by (warehouse id, SKU id). Orders measure it
    (orders.selectors.replenishment_demand): inventory knows no orders."""

    units: Counter  # units ordered in the last DEMAND_DAYS days
    orders: Counter  # orders that asked for them
    series: dict[tuple[int, int], list[int]]  # units ordered per day, the last VOLATILITY_DAYS days, oldest first
    waiting: Counter  # units of orders waiting for stock (no warehouse yet)


@transaction.atomic
def replenishment_suggestions_replace(*, demand: StockDemand, now) -> int:
    """Every suggestion recomputed for this demand; returns how many SKUs should be bought. Safe to run twice."""
    units, orders, series, waiting = demand.units, demand.orders, demand.series, demand.waiting
    levels = {
        (level.warehouse_id, level.sku_id): level
        for level in StockLevel.objects.filter(warehouse__is_active=True).only(
            "warehouse_id", "sku_id", "on_hand", "reserved", "safety_stock"
        )
    }
    on_order = {
        (warehouse_id, sku_id): total
        for warehouse_id, sku_id, total in PurchaseRequestLine.objects.filter(
            purchase_request__status__in=OPEN_PURCHASE_STATUSES
        )
        .values_list("purchase_request__warehouse_id", "sku_id")
        .annotate(total=Sum("quantity") - Sum("received_quantity"))
        .order_by()
    }
    lead_times = {
        sku.pk: sku.lead_time_days for sku in SKU.objects.select_related("supplier").filter(is_active=True)
    }
    suggestions = []
    for key in sorted(set(units) | set(levels)):
        warehouse_id, sku_id = key
        if sku_id not in lead_times:
            continue  # an inactive SKU is not bought again
        level = levels.get(key)
        demand = units.get(key, 0)
        daily = Decimal(demand) / DEMAND_DAYS
        volatility = Decimal(statistics.pstdev(series[key])) if key in series else Decimal(0)
        lead = lead_times[sku_id]
        safety = max(level.safety_stock if level else 0, math.ceil(SERVICE_LEVEL_Z * volatility * Decimal(lead).sqrt()))
        reorder_point = math.ceil(daily * lead + safety)
        available = (level.on_hand - level.reserved if level else 0) - waiting.get(key, 0)
        coming = max(on_order.get(key, 0), 0)
        if available + coming > reorder_point or (demand == 0 and available + coming >= safety):
            continue
        quantity = math.ceil(reorder_point + daily * REVIEW_DAYS) - available - coming
        if quantity <= 0:
            continue
        suggestions.append(
            ReplenishmentSuggestion(
                warehouse_id=warehouse_id,
                sku_id=sku_id,
                demand_30d=demand,
                orders_30d=orders.get(key, 0),
                daily_demand=daily.quantize(TWO_PLACES, ROUND_HALF_UP),
                volatility_7d=volatility.quantize(TWO_PLACES, ROUND_HALF_UP),
                lead_time_days=lead,
                reorder_point=reorder_point,
                available=available,
                on_order=coming,
                quantity=quantity,
                computed_at=now,
            )
        )
    ReplenishmentSuggestion.objects.all().delete()
    ReplenishmentSuggestion.objects.bulk_create(suggestions, batch_size=1000)
    return len(suggestions)
