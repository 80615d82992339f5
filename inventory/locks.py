"""Stock row locks, taken after the order's and always sorted by id, so that
two allocations touching the same SKUs queue instead of deadlocking.

The inventory's own documents come before the stock rows they move, and no
order is locked with them: a purchase request, then its lines, then the stock
levels it fills. A SKU alias is locked before the orders whose lines it maps
(one by one); nothing locks an alias while holding an order."""

from django.db import connection

from core.raw_sql import for_update_clause, instances_from_sql

from .models import PurchaseRequest, PurchaseRequestLine, SKUAlias, StockLevel


def stock_levels_for_update(*, warehouse_id: int, sku_ids) -> dict[int, StockLevel]:
    levels = StockLevel.objects.select_for_update().filter(warehouse_id=warehouse_id, sku_id__in=sku_ids).order_by("id")
    return {level.sku_id: level for level in levels}


def stock_levels_by_id_for_update(ids) -> dict[int, StockLevel]:
    return {level.pk: level for level in StockLevel.objects.select_for_update().filter(pk__in=ids).order_by("id")}


def stock_levels_named_for_update(ids) -> list[StockLevel]:
    """These stock levels with their warehouse and SKU (to name them in messages), locked sorted by id."""
    levels = StockLevel.objects.select_for_update(of=("self",)).select_related("warehouse", "sku")
    return list(levels.filter(pk__in=ids).order_by("id"))


def stock_rows_for_allocation(*, warehouse_id: int, sku_ids) -> dict[int, StockLevel]:
    """One warehouse's rows of these SKUs by SKU id, locked as the batch below locks them."""
    levels = stock_rows_for_allocation_batch(sku_ids=sku_ids, warehouse_ids=[warehouse_id])
    return {level.sku_id: level for level in levels}


def stock_rows_for_allocation_batch(*, sku_ids, warehouse_ids) -> list[StockLevel]:
    """Every stock row of these SKUs in these warehouses, locked in one statement
    sorted by id: like stock_levels_for_update, in raw SQL for the allocation
    path (see core.raw_sql).

    ``FOR NO KEY UPDATE`` where PostgreSQL has it: the lock an UPDATE of these
    (non-key) columns takes anyway. Unlike ``FOR UPDATE`` it lets other
    transactions insert ledger rows pointing at the level meanwhile (their
    foreign-key check takes a key-share lock) instead of queueing behind us."""
    skus, warehouses = sorted(int(pk) for pk in sku_ids), sorted(int(pk) for pk in warehouse_ids)
    if not skus or not warehouses:
        return []
    lock = for_update_clause()
    if lock and connection.features.has_select_for_no_key_update:
        lock = " FOR NO KEY UPDATE"
    return instances_from_sql(
        StockLevel,
        "SELECT",
        f"FROM {StockLevel._meta.db_table} WHERE sku_id IN ({', '.join(['%s'] * len(skus))}) "  # noqa: S608
        f"AND warehouse_id IN ({', '.join(['%s'] * len(warehouses))}) ORDER BY id{lock}",
        [*skus, *warehouses],
    )


def purchase_request_for_update(purchase_request_id: int) -> PurchaseRequest:
    """A purchase request (with its warehouse, not locked), before its lines and stock rows."""
    return PurchaseRequest.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=purchase_request_id)


def purchase_lines_for_update(request: PurchaseRequest) -> dict[int, PurchaseRequestLine]:
    """The request's lines by id (with their SKUs, not locked), locked sorted by id, after the request."""
    lines = request.lines.select_for_update(of=("self",)).select_related("sku").order_by("id")
    return {line.pk: line for line in lines}


def sku_alias_for_update(alias_id: int) -> SKUAlias:
    """A SKU alias (with its channel, not locked), before the orders whose lines it maps."""
    return SKUAlias.objects.select_for_update(of=("self",)).select_related("channel").get(pk=alias_id)
