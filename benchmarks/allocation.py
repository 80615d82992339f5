#!/usr/bin/env python
"""Allocation throughput on PostgreSQL, with oversell and deadlock counts.

Builds (or reuses) a benchmark database ``orderdesk_bench_stock`` with
100,000 approved orders (1–3 lines, popular SKUs much more often), 1,000 SKUs
and 3 warehouses whose stock covers ~90 % of the demand, so that allocations
contend for the same rows and some orders run out. Then allocates them with
``orders.services.order_allocate_or_flag`` (the service the bulk action, the
order's button and the minute job run) from 1, 4 and 16 worker processes,
each phase on its own share of the orders, and finally the baseline: the same
allocations as a bare ``SELECT … FOR UPDATE`` + ``UPDATE`` loop in raw SQL
(no ORM, no checks, no ledger, no timeline) from 4 processes.

Printed per phase: allocation attempts per second (allocated or flagged out
of stock), deadlock / serialization failures retried inside the service and
those that reached the caller, and at the end the oversell check: stock levels
whose reserved units exceed on hand or differ from the units of the orders
holding them, and levels that differ from their ledger.

    .venv/bin/python benchmarks/allocation.py                 # 100,000 orders
    .venv/bin/python benchmarks/allocation.py --orders 20000  # a quicker run

BENCH_PG_SERVER overrides the server (default postgres://postgres@127.0.0.1:5432).
"""

import argparse
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "orderdesk_bench_stock"
SKUS, WAREHOUSES = 1000, 3
STOCK_COVER = 0.9  # stock received, as a share of the units ordered
TARGET = 500  # allocations per second at 4 workers
# (workers, share of the orders) for each way of allocating; the baseline last.
SINGLE_PHASES = [(1, 0.04), (4, 0.10), (16, 0.10)]
JOB_PHASES = [(1, 0.10), (4, 0.20), (16, 0.20)]
BASELINE = (4, 0.20)
PROVINCES = {"sh": ["上海", "江苏", "浙江"], "gz": ["广东", "广西", "湖南"], "bj": ["北京", "天津", "河北"]}

sys.path.insert(0, str(BASE_DIR))
os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmarks-only-not-a-secret")  # DEBUG is off, as in production
os.environ.setdefault("LOG_LEVEL", "WARNING")


def create_database():
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')


def setup_django():
    import django

    django.setup()


# --- the data ------------------------------------------------------------------------------


def build(orders: int, seed: int = 7) -> None:
    """Empty the order and stock tables and fill them: stock through receipt
    movements (so the ledger adds up), orders approved, written in bulk."""
    from django.db import connection, transaction
    from django.utils import timezone

    from inventory.models import SKU, MovementKind, ReferenceType, StockLevel, StockMovement, Warehouse
    from orders.models import Channel, Order, OrderLine, OrderStatus

    rng = random.Random(seed)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE orders_orderevent, orders_orderline, inventory_stockmovement, inventory_stockcount, "
            "inventory_stocklevel, orders_order, inventory_sku, inventory_warehouse, orders_channel, "
            "orders_numbersequence, inventory_waveorder, inventory_wave, django_q_ormq RESTART IDENTITY CASCADE"
        )
    now = timezone.now()
    with transaction.atomic():
        channel = Channel.objects.create(code="bench", name="Bench shop", platform="tmall")
        warehouses = [
            Warehouse.objects.create(code=code, name=code.upper(), regions=regions, priority=10 * (n + 1))
            for n, (code, regions) in enumerate(PROVINCES.items())
        ]
        skus = SKU.objects.bulk_create(SKU(code=f"B-{n:04d}", name=f"Bench SKU {n}") for n in range(SKUS))
        weights = [1 / (rank + 1) ** 0.8 for rank in range(SKUS)]  # a few SKUs sell far more than the rest
        demand = Counter()
        order_rows, line_rows = [], []
        all_provinces = [(code, province) for code, provinces in PROVINCES.items() for province in provinces]
        for n in range(orders):
            code, province = rng.choice(all_provinces)
            order_rows.append(
                Order(
                    number=f"BN{n:010d}",
                    channel=channel,
                    ship_name="Bench",
                    ship_province=province,
                    ship_city=province,
                    ship_address="1 Bench Road",
                    ship_phone="13800000000",
                    placed_at=now - timedelta(minutes=orders - n),
                    paid_at=now,
                    approved_at=now,
                    status=OrderStatus.APPROVED,
                )
            )
            chosen = set(rng.choices(range(SKUS), weights=weights, k=rng.choices((1, 2, 3), weights=(60, 30, 10))[0]))
            for index in chosen:
                quantity = rng.choices((1, 2), weights=(85, 15))[0]
                line_rows.append((n, index, quantity))
                demand[code, index] += quantity
        Order.objects.bulk_create(order_rows, batch_size=5000)
        ids = dict(Order.objects.values_list("number", "pk"))
        OrderLine.objects.bulk_create(
            (
                OrderLine(
                    order_id=ids[f"BN{n:010d}"], sku=skus[index], title=skus[index].name, quantity=quantity, unit_price=Decimal("9.90")
                )
                for n, index, quantity in line_rows
            ),
            batch_size=10000,
        )
        levels = []
        for warehouse in warehouses:
            for index, sku in enumerate(skus):
                wanted = demand[warehouse.code, index]
                levels.append(StockLevel(warehouse=warehouse, sku=sku, on_hand=int(wanted * STOCK_COVER + rng.random())))
        StockLevel.objects.bulk_create(levels, batch_size=5000)
        StockMovement.objects.bulk_create(
            (
                StockMovement(
                    stock_level=level,
                    kind=MovementKind.RECEIPT,
                    on_hand_delta=level.on_hand,
                    reference="BENCH",
                    reference_type=ReferenceType.RECEIPT,
                    created_at=now,
                )
                for level in levels
                if level.on_hand
            ),
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"built: {orders:,} approved orders, {len(line_rows):,} lines, {SKUS:,} SKUs, {WAREHOUSES} warehouses, "
        f"stock {sum(level.on_hand for level in levels):,} units for {sum(demand.values()):,} ordered "
        f"({time.monotonic() - started:.0f} s)"
    )


# --- workers -------------------------------------------------------------------------------------


def service_worker(order_ids, start, results):
    """Allocate each order through the service, as the minute job does."""
    from django.db import OperationalError, connections

    connections.close_all()  # never share the parent's connection
    from inventory.services import InsufficientStock
    from orders import services
    from core.errors import DomainError
    from orders.services import allocation

    counts = Counter()
    start.wait()
    for order_id in order_ids:
        try:
            services.order_allocate_or_flag(actor=None, order_id=order_id)
            counts["allocated"] += 1
        except InsufficientStock:
            counts["out_of_stock"] += 1
        except DomainError:
            counts["refused"] += 1
        except OperationalError as error:
            cause = getattr(error.__cause__, "sqlstate", "")
            counts["deadlock_errors" if cause in ("40P01", "40001") else "db_errors"] += 1
    counts.update({f"retried_{cause}": n for cause, n in allocation.retries.items()})
    connections.close_all()
    results.put(dict(counts))


def job_worker(order_ids, start, results):
    """Allocate as the minute job does: orders_allocate_approved, in transactions of BATCH_SIZE orders."""
    from django.db import OperationalError, connections

    connections.close_all()
    from orders import services
    from orders.services import allocation

    counts = Counter()
    start.wait()
    try:
        counts.update(services.orders_allocate_approved(actor=None, order_ids=order_ids))
    except OperationalError as error:
        cause = getattr(error.__cause__, "sqlstate", "")
        counts["deadlock_errors" if cause in ("40P01", "40001") else "db_errors"] += 1
    counts["out_of_stock"] = counts.pop("not_allocated", 0)
    counts.update({f"retried_{cause}": n for cause, n in allocation.retries.items()})
    connections.close_all()
    results.put(dict(counts))


def baseline_worker(order_ids, start, results):
    """The bare minimum: lock the order and its stock rows, reserve, mark the order. No ORM."""
    import psycopg

    counts = Counter()
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        cur = conn.cursor()
        cur.execute("SELECT id, warehouse_id, sku_id FROM inventory_stocklevel")
        level_of = {(w, s): pk for pk, w, s in cur.fetchall()}
        cur.execute("SELECT id, regions FROM inventory_warehouse ORDER BY priority")
        warehouses = cur.fetchall()
        conn.commit()
        start.wait()
        for order_id in order_ids:
            cur.execute("SELECT ship_province FROM orders_order WHERE id = %s FOR UPDATE", [order_id])
            (province,) = cur.fetchone()
            cur.execute("SELECT sku_id, SUM(quantity) FROM orders_orderline WHERE order_id = %s GROUP BY sku_id", [order_id])
            needed = dict(cur.fetchall())
            warehouse = next((w for w, regions in warehouses if province in regions), warehouses[0][0])
            ids = sorted(level_of[warehouse, sku] for sku in needed)
            cur.execute(
                "SELECT id, sku_id, on_hand - reserved FROM inventory_stocklevel WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids]
            )
            rows = cur.fetchall()
            if all(available >= needed[sku] for _pk, sku, available in rows):
                for pk, sku, _available in rows:
                    cur.execute("UPDATE inventory_stocklevel SET reserved = reserved + %s WHERE id = %s", [needed[sku], pk])
                cur.execute("UPDATE orders_order SET status = 'allocated', warehouse_id = %s WHERE id = %s", [warehouse, order_id])
                counts["allocated"] += 1
            else:
                counts["out_of_stock"] += 1
            conn.commit()
    results.put(dict(counts))


def run_phase(worker, order_ids, workers: int) -> tuple[float, Counter]:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(workers + 1), context.Queue()
    # Interleaved shares: neighbouring orders (and their hot SKUs) race each other.
    processes = [context.Process(target=worker, args=(order_ids[n::workers], start, results)) for n in range(workers)]
    for process in processes:
        process.start()
    start.wait()
    began = time.monotonic()
    totals = Counter()
    for _ in processes:
        totals.update(results.get())
    elapsed = time.monotonic() - began
    for process in processes:
        process.join()
    return elapsed, totals


# --- checks --------------------------------------------------------------------------------


def oversell_check() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM inventory_stocklevel WHERE reserved > on_hand OR reserved < 0")
        over = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT COUNT(*) FROM inventory_stocklevel level
            LEFT JOIN (
                SELECT o.warehouse_id, l.sku_id, SUM(l.quantity) AS units
                FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
                WHERE o.status IN ('allocated', 'picking', 'packed') AND o.number LIKE 'BN%%'
                GROUP BY o.warehouse_id, l.sku_id
            ) held ON held.warehouse_id = level.warehouse_id AND held.sku_id = level.sku_id
            WHERE level.reserved <> COALESCE(held.units, 0)
            """
        )
        mismatched = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT COUNT(*) FROM inventory_stocklevel level
            LEFT JOIN (
                SELECT stock_level_id, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
                FROM inventory_stockmovement GROUP BY stock_level_id
            ) ledger ON ledger.stock_level_id = level.id
            WHERE level.on_hand <> COALESCE(ledger.on_hand, 0) OR level.reserved <> COALESCE(ledger.reserved, 0)
            """
        )
        off_ledger = cursor.fetchone()[0]
    return {"reserved_over_on_hand": over, "reserved_not_held_by_orders": mismatched, "levels_off_ledger": off_ledger}


def queries_per_allocation(order_ids) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders import services
    from core.errors import DomainError

    with CaptureQueriesContext(connection) as captured:
        for order_id in order_ids:
            try:
                services.order_allocate_or_flag(actor=None, order_id=order_id)
            except DomainError:
                pass
    return len(captured) / len(order_ids)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="approved orders to allocate (default 100,000)")
    args = parser.parse_args()
    create_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build(args.orders)
    from orders.models import Order

    ids = list(Order.objects.order_by("id").values_list("pk", flat=True))
    random.Random(11).shuffle(ids)
    sample, ids = ids[:200], ids[200:]
    per_allocation = queries_per_allocation(sample)
    print(f"queries per allocation (incl. BEGIN/COMMIT, {len(sample)} orders, 1 process): {per_allocation:.1f}")

    cursor = 0
    print(f"{'phase':<34}{'orders':>9}{'seconds':>9}{'alloc/s':>10}{'allocated':>11}{'out of stock':>14}"
          f"{'deadlocks retried':>19}{'deadlock errors':>17}{'other errors':>14}")
    rates = {}
    checks = {}
    phases = [
        *[(f"order_allocate, {w} worker{'s' if w > 1 else ''}", service_worker, (w, s)) for w, s in SINGLE_PHASES],
        *[(f"job (batches of 50), {w} worker{'s' if w > 1 else ''}", job_worker, (w, s)) for w, s in JOB_PHASES],
        ("baseline: bare SQL lock+update, 4", baseline_worker, BASELINE),
    ]
    for name, worker, (workers, share) in phases:
        chunk = ids[cursor : cursor + int(len(ids) * share)]
        cursor += len(chunk)
        elapsed, totals = run_phase(worker, chunk, workers)
        rate = len(chunk) / elapsed
        rates[name] = rate
        retried = sum(v for k, v in totals.items() if k.startswith("retried_") and k != "retried_stale_choice")
        print(
            f"{name:<34}{len(chunk):>9,}{elapsed:>9.1f}{rate:>10.0f}{totals['allocated']:>11,}{totals['out_of_stock']:>14,}"
            f"{retried:>19}{totals['deadlock_errors']:>17}{totals['db_errors'] + totals['refused']:>14}"
            + (f"   (stale choices re-chosen: {totals['retried_stale_choice']})" if totals.get("retried_stale_choice") else "")
        )
        if worker is job_worker and workers == JOB_PHASES[-1][0]:
            # Checked before the baseline, which reserves without a ledger on purpose.
            checks = oversell_check()
    single = rates["order_allocate, 4 workers"]
    four = rates["job (batches of 50), 4 workers"]
    base = rates["baseline: bare SQL lock+update, 4"]
    print(f"ratio to the bare SQL baseline at 4 workers: order_allocate {single / base:.2f}, job {four / base:.2f}")
    print(f"target ≥ {TARGET}/s at 4 workers (the job): {'met' if four >= TARGET else 'NOT met'} ({four:.0f}/s)")
    print("oversell check: " + ", ".join(f"{name} {value}" for name, value in checks.items()))
    return 0 if not any(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
