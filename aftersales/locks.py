"""Ticket row locks, in the global order: the ticket's Order first (then its
lines), then the ticket; stock and finance rows come after, in their services."""

from orders import locks as order_locks

from .models import ReturnRequest


def ticket_for_update(ticket_id: int, *, lines: bool = False):
    """(order, order lines by id or None, ticket), all locked."""
    order_id = ReturnRequest.objects.values_list("order_id", flat=True).get(pk=ticket_id)
    order = order_locks.order_for_update(order_id)
    order_lines = {line.pk: line for line in order_locks.order_lines_for_update(order)} if lines else None
    ticket = ReturnRequest.objects.select_for_update().get(pk=ticket_id)
    return order, order_lines, ticket
