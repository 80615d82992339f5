"""django-q2 tasks: each takes ids, calls a service, and is safe to run twice
(an order allocated by the first run is skipped by the second)."""

import logging

from . import selectors, services

log = logging.getLogger(__name__)

# One allocation run does at most this many orders; the next run (a minute later) goes on.
ALLOCATION_BATCH = 2000


def notify_exception_owner(event_id: int) -> bool:
    return services.exception_owner_notify(event_id=event_id)


def import_batch_continue(batch_id: int) -> str:
    """Preview or import a big file, a time budget at a time (issue 3)."""
    from django.conf import settings

    batch = services.import_batch_continue(batch_id=batch_id, budget_seconds=settings.ORDERDESK_IMPORT_TASK_SECONDS)
    return batch.status


def allocate_approved_orders(limit: int = ALLOCATION_BATCH) -> dict[str, int]:
    """Every minute: allocate approved orders, most urgent first; those without
    stock get the exception "out of stock" (and wait for stock to arrive)."""
    ids = list(selectors.orders_to_allocate().values_list("pk", flat=True)[:limit])
    result = services.orders_allocate_approved(actor=None, order_ids=ids)
    if ids:
        log.info("allocate_approved_orders: %s", result)
    return result


def retry_out_of_stock_orders(sku_ids=None, limit: int = ALLOCATION_BATCH) -> dict[str, int]:
    """Stock arrived for these SKUs (queued by inventory.services.arrivals, once per
    transaction): try again the orders waiting for them, if any."""
    ids = list(selectors.orders_waiting_for_stock(sku_ids=sku_ids).values_list("pk", flat=True)[:limit])
    return services.orders_allocate_approved(actor=None, order_ids=ids)


def refresh_replenishment() -> int:
    """Nightly: recompute the replenishment suggestions."""
    return services.replenishment_refresh()
