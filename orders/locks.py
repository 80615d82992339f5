"""Row locks, always taken in one global order:
Order → OrderLine → StockLevel → finance rows (each kind sorted by id)."""

from .models import Order, OrderLine


def order_for_update(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def order_lines_for_update(order: Order) -> list[OrderLine]:
    return list(OrderLine.objects.select_for_update().filter(order=order).order_by("id"))
