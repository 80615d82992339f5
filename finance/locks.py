"""Finance row locks: last in the global order Order → OrderLine → StockLevel →
finance rows. A refund or an invoice is locked after its order, so that
whatever else changes the order (a cancellation, a ticket) queues with it."""

from django.db import connection

from core.locks import number_sequence_for_update
from orders import locks as order_locks

from .models import ClosedPeriod, Invoice, Refund


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


def closed_months_held_for_dated_writes() -> None:
    """Until this transaction ends, no month can be closed: taken by every write
    dated in a month (payments, refunds, invoices, settlement lines) before it
    reads which months are closed, so a close either waits for the write or the
    write sees the close. Writers do not wait for each other (SHARE).
    On SQLite the IMMEDIATE transactions already run one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {ClosedPeriod._meta.db_table} IN SHARE MODE")


def closed_months_for_closing() -> None:
    """Taken by a close: waits for the dated writes under way, and for another close."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {ClosedPeriod._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
