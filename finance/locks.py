"""Finance row locks: last in the global order Order → OrderLine → StockLevel →
finance rows. A refund or an invoice is locked after its order, so that
whatever else changes the order (a cancellation, a ticket) queues with it."""

from core.locks import number_sequence_for_update
from orders import locks as order_locks

from .models import Invoice, Refund


def refund_for_update(refund_id: int):
    """(order, refund), both locked: the refund's order first."""
    order_id = Refund.objects.values_list("order_id", flat=True).get(pk=refund_id)
    order = order_locks.order_for_update(order_id)
    return order, Refund.objects.select_for_update().get(pk=refund_id)


def invoice_for_update(invoice_id: int):
    """(order, invoice or credit note), both locked: the invoice's order first."""
    order_id = Invoice.objects.values_list("order_id", flat=True).get(pk=invoice_id)
    order = order_locks.order_for_update(order_id)
    return order, Invoice.objects.select_for_update().get(pk=invoice_id)


def settlement_imports_for_update(source: str) -> None:
    """One settlement import per source at a time: a second one waits here (on a
    number sequence row of its own, as no finance row exists before the first file)."""
    number_sequence_for_update(f"settlement-import:{source}")
