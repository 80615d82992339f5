"""Row locks, always taken in one global order:
Order → OrderLine → StockLevel → finance rows (each kind sorted by id)."""

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


def order_with_merged_for_update(order_id: int) -> list[Order]:
    """The order and the orders merged into it (shipping with it), sorted by id, in one query."""
    return list(
        Order.objects.select_for_update()
        .filter(Q(pk=order_id) | Q(merged_into_id=order_id))
        .order_by("id")
    )


def lines_with_sku_for_update(order_ids) -> list[OrderLine]:
    """The lines of these orders with their SKUs (only the lines are locked), sorted by id."""
    return list(
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("sku")
        .filter(order_id__in=list(order_ids))
        .order_by("id")
    )
