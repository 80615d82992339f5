"""django-q2 tasks for stock: each reloads what it needs, calls services, and is
safe to run twice (an order allocated by the first run is skipped by the second)."""

import logging

from orders import selectors as order_selectors
from orders import services as order_services

from . import services

log = logging.getLogger(__name__)

# One run does at most this many orders; the next run (a minute later) goes on.
BATCH = 2000


def _allocate_each(order_ids) -> dict[str, int]:
    return order_services.orders_allocate_approved(actor=None, order_ids=order_ids)


def allocate_approved_orders(limit: int = BATCH) -> dict[str, int]:
    """Every minute: allocate approved orders, most urgent first; those without
    stock get the exception "out of stock" (and wait for stock to arrive)."""
    ids = list(order_selectors.orders_to_allocate().values_list("pk", flat=True)[:limit])
    result = _allocate_each(ids)
    if ids:
        log.info("allocate_approved_orders: %s", result)
    return result


def retry_out_of_stock_orders(sku_ids=None, limit: int = BATCH) -> dict[str, int]:
    """Stock arrived for these SKUs: try again the orders waiting for them."""
    ids = list(order_selectors.orders_waiting_for_stock(sku_ids=sku_ids).values_list("pk", flat=True)[:limit])
    return _allocate_each(ids)


def refresh_replenishment() -> int:
    """Nightly: recompute the replenishment suggestions."""
    return services.replenishment_refresh()
