"""Replenishment suggestions from the orders' demand: orders measure what was
ordered (orders.selectors.replenishment_demand), inventory turns it into
suggestions against its stock, purchases and lead times."""

from django.db import transaction
from django.utils import timezone

from inventory import services as stock_services

from ..selectors import replenishment_demand


@transaction.atomic
def replenishment_refresh(*, now=None) -> int:
    """Recompute every suggestion; returns how many SKUs should be bought. Safe to run twice."""
    now = now or timezone.now()
    return stock_services.replenishment_suggestions_replace(demand=replenishment_demand(now=now), now=now)
