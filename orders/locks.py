"""Row locks, always taken in one global order:
Order → OrderLine → StockLevel → finance rows (each kind sorted by id)."""

from django.db import connection
from django.db.models import Q

from .models import Order, OrderLine


def order_for_update(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def order_lines_for_update(order: Order) -> list[OrderLine]:
    return list(OrderLine.objects.select_for_update().filter(order=order).order_by("id"))


# --- issue 4: orders that ship together, locked together ----------------------------------


def orders_for_update(order_ids) -> list[Order]:
    """Several orders (a merge, a split and its parent), locked sorted by id."""
    return list(Order.objects.select_for_update().filter(pk__in=list(order_ids)).order_by("id"))


# The allocation path (benchmarks/allocation.py) runs these many times a second:
# as raw SQL they skip the ORM's query compilation, which cost more than the
# round trip itself. Same rows, same lock order.


def for_update_sql(of: str = "") -> str:
    """`` FOR UPDATE [OF table]`` where the database has row locks (not SQLite: its writer lock serialises)."""
    if not connection.features.has_select_for_update:
        return ""
    if of and connection.features.has_select_for_update_of:
        return f" FOR UPDATE OF {of}"
    return " FOR UPDATE"


def order_with_merged_for_update(order_id: int) -> list[Order]:
    """The order and the orders merged into it (shipping with it), sorted by id, in one query."""
    table = Order._meta.db_table
    sql = f"SELECT * FROM {table} WHERE id = %s OR merged_into_id = %s ORDER BY id{for_update_sql()}"  # noqa: S608
    return list(Order.objects.raw(sql, [order_id, order_id]))


def lines_for_allocation(order_ids) -> list[OrderLine]:
    """The lines of these orders, locked, sorted by id, each with ``sku_code`` (the SKU rows are not locked)."""
    ids = [int(pk) for pk in order_ids]
    sql = (
        f"SELECT line.*, sku.code AS sku_code FROM {OrderLine._meta.db_table} line "  # noqa: S608
        "LEFT JOIN inventory_sku sku ON sku.id = line.sku_id "
        f"WHERE line.order_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY line.id{for_update_sql('line')}"
    )
    return list(OrderLine.objects.raw(sql, ids))


def lines_with_sku_for_update(order_ids) -> list[OrderLine]:
    """The lines of these orders with their SKUs (only the lines are locked), sorted by id."""
    return list(
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("sku")
        .filter(order_id__in=list(order_ids))
        .order_by("id")
    )
