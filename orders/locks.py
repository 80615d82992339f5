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
    """The order, then the orders merged into it (shipping with it), sorted by id
    (an order carrying a parcel is its oldest). The merged ones are read once the
    order is locked: a merge locks the order it merges into, so one that committed
    while this waited is among them (one ``FOR UPDATE … OR merged_into_id = …``
    would not see it: it filters on the rows as they were when it started)."""
    table, lock = Order._meta.db_table, for_update_clause()
    order = instances_from_sql(Order, "SELECT", f"FROM {table} WHERE id = %s{lock}", [order_id])  # noqa: S608
    if not order:
        return []
    merged = instances_from_sql(
        Order, "SELECT", f"FROM {table} WHERE merged_into_id = %s ORDER BY id{lock}", [order_id]  # noqa: S608
    )
    return order + merged


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
    it is merged into) and every order merged into that one — locked sorted by id,
    so the carrier first. Taken before any other lock by whoever regroups a parcel (cancel, unmerge), so
    that two of them on one parcel queue instead of deadlocking."""
    while True:  # another round only after someone else regrouped the parcel, and committed
        carrier_id = Order.objects.values_list(Coalesce("merged_into_id", "id"), flat=True).get(pk=order_id)
        group = order_with_merged_for_update(carrier_id)
        if group and group[0].merged_into_id is None and any(order.pk == order_id for order in group):
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
    """These orders and the orders merged into any of them, locked, sorted by id."""
    ids = [int(pk) for pk in order_ids]
    marks, lock = ", ".join(["%s"] * len(ids)), for_update_clause()
    locked = instances_from_sql(
        Order,
        "SELECT",
        f"FROM {Order._meta.db_table} WHERE id IN ({marks}) OR merged_into_id IN ({marks}) ORDER BY id{lock}",  # noqa: S608
        [*ids, *ids],
    )
    # Orders merged into these by a merge that committed while the statement above
    # waited for it (which it could not see, see order_with_merged_for_update):
    # locked now, out of id order, so such a race may end in a deadlock, which
    # the batch retries.
    seen = [order.pk for order in locked]
    if not seen:
        return []
    joined = instances_from_sql(
        Order,
        "SELECT",
        f"FROM {Order._meta.db_table} WHERE merged_into_id IN ({marks}) "  # noqa: S608
        f"AND id NOT IN ({', '.join(['%s'] * len(seen))}) ORDER BY id{lock}",
        [*ids, *seen],
    )
    return sorted([*locked, *joined], key=lambda order: order.pk)


def import_batch_for_update(batch_id: int) -> ImportBatch:
    """An import batch, before the orders it writes: one step of it (preview, import, discard) at a time."""
    return ImportBatch.objects.select_for_update().get(pk=batch_id)
