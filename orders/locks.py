"""Row locks, always taken in one global order:
Order → OrderLine → StockLevel → finance rows (each kind sorted by id).

Orders that ship in one parcel are locked together, sorted by id (the order
carrying the parcel is the oldest, so first), before anything else. An import
batch is locked before the orders it writes; nothing locks a batch while
holding an order."""

from django.db.models import Q
from django.db.models.functions import Coalesce

from core.raw_sql import for_update_clause, instances_from_sql

from .importers.models import ImportBatch
from .models import Order, OrderLine


def order_for_update(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def order_lines_for_update(order: Order) -> list[OrderLine]:
    return list(OrderLine.objects.select_for_update().filter(order=order).order_by("id"))


# --- issue 4: orders that ship together, locked together ----------------------------------


def orders_for_update(order_ids) -> list[Order]:
    """Several orders (a merge, a split and its parent), locked sorted by id."""
    return list(Order.objects.select_for_update().filter(pk__in=list(order_ids)).order_by("id"))


def order_with_merged_for_update(order_id: int) -> list[Order]:
    """The order and the orders merged into it (shipping with it), sorted by id, in one query."""
    return instances_from_sql(
        Order,
        "SELECT",
        f"FROM {Order._meta.db_table} WHERE id = %s OR merged_into_id = %s ORDER BY id{for_update_clause()}",  # noqa: S608
        [order_id, order_id],
    )


def _ids_with_merged(order_ids) -> set[int]:
    return set(Order.objects.filter(Q(pk__in=order_ids) | Q(merged_into_id__in=order_ids)).values_list("pk", flat=True))


def orders_with_merged_for_update(order_ids) -> tuple[list[Order], bool]:
    """These orders and the orders merged into them, locked sorted by id, and
    whether that is still all of them once locked. False: a merge, an unmerge or
    a cancellation regrouped them while this waited (each locks the orders it
    regroups, so a read under the lock is final); the caller refuses or looks again.

    Read first, then locked by id: one ``FOR UPDATE`` filtering on
    ``merged_into`` would not see an order merged in while it waited."""
    ids = list(order_ids)
    read = _ids_with_merged(ids)
    locked = orders_for_update(read)
    return locked, _ids_with_merged(ids) == read


def merge_group_for_update(order_id: int) -> list[Order]:
    """The parcel this order ships in — the order carrying it (itself, or the one
    it is merged into) and every order merged into that one — locked sorted by id.
    Taken before any other lock by whoever regroups a parcel (cancel, unmerge), so
    that two of them on one parcel queue instead of deadlocking."""
    while True:  # another round only after someone else regrouped the parcel, and committed
        carrier_id = Order.objects.values_list(Coalesce("merged_into_id", "id"), flat=True).get(pk=order_id)
        group, complete = orders_with_merged_for_update([carrier_id])
        if complete and any(order.pk == carrier_id and order.merged_into_id is None for order in group):
            return group


def lines_for_allocation(order_ids) -> list[OrderLine]:
    """The lines of these orders, locked, sorted by id, each with ``sku_code`` (the SKU rows are not locked)."""
    ids = [int(pk) for pk in order_ids]
    return instances_from_sql(
        OrderLine,
        "SELECT",
        f"FROM {OrderLine._meta.db_table} line LEFT JOIN inventory_sku sku ON sku.id = line.sku_id "  # noqa: S608
        f"WHERE line.order_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY line.id{for_update_clause('line')}",
        ids,
        alias="line",
        extra=("sku.code AS sku_code",),
    )


def lines_with_sku_for_update(order_ids) -> list[OrderLine]:
    """The lines of these orders with their SKUs (only the lines are locked), sorted by id."""
    return list(
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("sku")
        .filter(order_id__in=list(order_ids))
        .order_by("id")
    )


def orders_for_allocation_batch(order_ids) -> list[Order]:
    """These orders and the orders merged into any of them, locked, sorted by id, in one query."""
    ids = [int(pk) for pk in order_ids]
    marks = ", ".join(["%s"] * len(ids))
    return instances_from_sql(
        Order,
        "SELECT",
        f"FROM {Order._meta.db_table} WHERE id IN ({marks}) OR merged_into_id IN ({marks}) "  # noqa: S608
        f"ORDER BY id{for_update_clause()}",
        [*ids, *ids],
    )


def import_batch_for_update(batch_id: int) -> ImportBatch:
    """An import batch, before the orders it writes: one step of it (preview, import, discard) at a time."""
    return ImportBatch.objects.select_for_update().get(pk=batch_id)
