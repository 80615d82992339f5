"""Stock arrived (a receipt, a sellable return, a count or adjustment up, a
reservation released): orders waiting with "out of stock" are retried.

However many rows one transaction changes (an import of 5,000 stock levels, a
purchase with 40 lines), it queues at most one retry task, after commit
(GOTCHAS 8: never a task per row). The task is queued by its dotted name:
orders builds on inventory, and it is orders that knows which orders wait
for what (the task does nothing when none waits).
"""

from django.db import transaction

from core.tasks import enqueue_on_commit

RETRY_TASK = "orders.tasks.retry_out_of_stock_orders"


class _PendingArrivals:
    """The SKUs that arrived in the current transaction, flushed once on commit."""

    def __init__(self, connection):
        self.connection = connection
        self.sku_ids: set[int] = set()

    def registered(self) -> bool:
        # Still queued on this connection: not yet run, not discarded by a rollback.
        return any(entry[1] == self.flush for entry in self.connection.run_on_commit)

    def flush(self) -> None:
        sku_ids, self.sku_ids = sorted(self.sku_ids), set()
        if sku_ids:
            # Queued from inside on_commit: enqueue_on_commit runs it at once (no transaction open).
            enqueue_on_commit(RETRY_TASK, sku_ids)


def stock_arrived(*, sku_ids) -> None:
    """Note that units of these SKUs became available; called inside the stock service's transaction."""
    connection = transaction.get_connection()
    pending = getattr(connection, "orderdesk_arrivals", None)
    if pending is not None and pending.registered():
        pending.sku_ids.update(sku_ids)
        return
    pending = _PendingArrivals(connection)
    pending.sku_ids.update(sku_ids)
    connection.orderdesk_arrivals = pending
    transaction.on_commit(pending.flush)
