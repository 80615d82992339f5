"""Stock row locks, taken after the order's and always sorted by id, so that
two allocations touching the same SKUs queue instead of deadlocking."""

from .models import StockLevel
from .selectors import quantities_by_sku


def stock_levels_for_update(*, warehouse_id: int, sku_ids) -> dict[int, StockLevel]:
    levels = StockLevel.objects.select_for_update().filter(warehouse_id=warehouse_id, sku_id__in=sku_ids).order_by("id")
    return {level.sku_id: level for level in levels}


def stock_levels_for_order_update(*, order, lines) -> dict[int, StockLevel]:
    return stock_levels_for_update(warehouse_id=order.warehouse_id, sku_ids=list(quantities_by_sku(lines)))


def stock_levels_by_id_for_update(ids) -> dict[int, StockLevel]:
    return {level.pk: level for level in StockLevel.objects.select_for_update().filter(pk__in=ids).order_by("id")}
