"""Never oversold, for real: many workers with their own database connections
allocate the same scarce SKU at once (PostgreSQL row locks, not SQLite's
single writer)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from inventory.models import StockLevel
from orders import services
from core.errors import DomainError
from orders.models import ExceptionReason, Order, OrderStatus
from orders.services import LineInput
from tests.factories import SKUFactory

from .test_stock_conservation import assert_stock_conserved

UNITS, ORDERS, WORKERS = 10, 50, 10


def race(order_ids, allocate_share):
    """WORKERS threads, each with its own connection, run ``allocate_share(ids)`` at the same moment."""
    start = threading.Barrier(WORKERS)
    errors = []

    def worker(ids):
        try:
            start.wait()
            allocate_share(ids)
        except Exception as error:  # a deadlock or anything else that would reach a user
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(order_ids[n::WORKERS],)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def scarce_orders(order_in_status, receive_stock, warehouse):
    scarce = SKUFactory(code="SCARCE")
    receive_stock(warehouse, scarce, UNITS)
    order_ids = [
        order_in_status(
            OrderStatus.APPROVED, lines=[LineInput(title="Scarce", quantity=1, unit_price=Decimal("5.00"), sku=scarce)]
        ).pk
        for _ in range(ORDERS)
    ]
    return scarce, order_ids


def assert_exactly_the_units_were_allocated(order_ids, warehouse, scarce):
    statuses = list(Order.objects.filter(pk__in=order_ids).values_list("status", "exception_reason"))
    assert statuses.count((OrderStatus.ALLOCATED, "")) == UNITS
    assert statuses.count((OrderStatus.APPROVED, ExceptionReason.OUT_OF_STOCK)) == ORDERS - UNITS
    level = StockLevel.objects.get(warehouse=warehouse, sku=scarce)
    assert (level.on_hand, level.reserved) == (UNITS, UNITS)
    assert_stock_conserved()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_orders_racing_for_ten_units_allocate_exactly_ten(order_in_status, receive_stock, warehouse):
    # Given 10 units of one SKU and 50 approved orders for one unit each.
    scarce = SKUFactory(code="SCARCE")
    receive_stock(warehouse, scarce, UNITS)
    order_ids = [
        order_in_status(
            OrderStatus.APPROVED, lines=[LineInput(title="Scarce", quantity=1, unit_price=Decimal("5.00"), sku=scarce)]
        ).pk
        for _ in range(ORDERS)
    ]

    # When 10 workers, each with its own connection, allocate them all at the same moment.
    start = threading.Barrier(WORKERS)
    outcomes, errors = [], []

    def worker(ids):
        try:
            start.wait()
            for order_id in ids:
                try:
                    services.order_allocate_or_flag(actor=None, order_id=order_id)
                    outcomes.append("allocated")
                except DomainError:
                    outcomes.append("refused")
        except Exception as error:  # a deadlock or anything else that would reach a user
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(order_ids[n::WORKERS],)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then exactly 10 are allocated, the other 40 wait as "out of stock", and the ledger adds up.
    assert errors == []
    assert sorted(outcomes).count("allocated") == UNITS and len(outcomes) == ORDERS
    statuses = list(Order.objects.filter(pk__in=order_ids).values_list("status", "exception_reason"))
    assert statuses.count((OrderStatus.ALLOCATED, "")) == UNITS
    assert statuses.count((OrderStatus.APPROVED, ExceptionReason.OUT_OF_STOCK)) == ORDERS - UNITS
    level = StockLevel.objects.get(warehouse=warehouse, sku=scarce)
    assert (level.on_hand, level.reserved) == (UNITS, UNITS)
    assert_stock_conserved()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_batch_job_racing_itself_in_ten_workers_allocates_exactly_ten(order_in_status, receive_stock, warehouse):
    # Given 10 units and 50 single-unit orders; when 10 workers run the job's batch allocation on their shares at once,
    scarce, order_ids = scarce_orders(order_in_status, receive_stock, warehouse)

    errors = race(order_ids, lambda ids: services.orders_allocate_approved(actor=None, order_ids=ids))

    # then exactly 10 are allocated, 40 flagged, no error reached anyone, and the ledger adds up.
    assert errors == []
    assert_exactly_the_units_were_allocated(order_ids, warehouse, scarce)
