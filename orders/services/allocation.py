"""Allocation: reserving an order's stock in one warehouse, never more than is there.

One transaction per order locks, in the global order, the order (with the
orders merged into it), their lines, then the stock rows of the chosen
warehouse sorted by id, and checks and reserves from what it locked: two
allocations of the same SKUs queue, they cannot deadlock, and the database's
CHECK (reserved ≤ on hand) is the last line. A deadlock or serialization
failure all the same (another code path locking in another order) is retried
here, inside the service boundary, so the user never sees it.

The warehouse is chosen from an unlocked read of the stock; if another
allocation took the stock before the rows were locked, the choice is made
again from a fresh read (a "stale choice", retried like a deadlock).
"""

import random
import time
from collections import Counter

from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from inventory import locks as stock_locks
from inventory import selectors as stock_selectors
from inventory import services as stock_services
from inventory.models import Warehouse

from .. import events, locks
from core.errors import DomainError
from ..models import ExceptionReason, Order, OrderStatus, no_exception_blocking_allocation
from .exceptions import _flag_exception, _resolve_exception
from .transitions import _check_transition_allowed, _now, _transition

ATTEMPTS = 5
RETRYABLE_SQLSTATES = {"40P01": "deadlock", "40001": "serialization"}
# Retries in this process, by cause: benchmarks/allocation.py reports them.
retries = Counter()


class _StaleChoice(Exception):
    pass


def _retry_cause(error: OperationalError) -> str | None:
    return RETRYABLE_SQLSTATES.get(getattr(error.__cause__, "sqlstate", None))


def order_allocate(*, actor, order_id: int, warehouse_id: int | None = None, at=None) -> Order:
    """Reserve the order's stock (and that of the orders merged into it) in one warehouse.

    Without ``warehouse_id`` the assigned warehouse is used, or else the best
    one that can ship the whole order: one serving the ship-to region, then
    the lower priority number, then the one with most of the goods. Raises
    InsufficientStock (with the missing SKUs and, where one exists, a split
    proposal by warehouse) and changes nothing when it cannot.
    """
    at = _now(at)
    # Inside a caller's transaction a failed statement spoils that transaction: no retry then.
    attempts = 1 if transaction.get_connection().in_atomic_block else ATTEMPTS
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        try:
            return _allocate(actor=actor, order_id=order_id, warehouse_id=warehouse_id, at=at, recheck=not last)
        except _StaleChoice:
            retries["stale_choice"] += 1
        except OperationalError as error:
            cause = _retry_cause(error)
            if cause is None or last:
                raise
            retries[cause] += 1
            time.sleep(random.uniform(0, 0.005 * attempt))
    raise AssertionError("unreachable: the last attempt raises or returns")


def _insufficient_anywhere(order, needed, available, warehouses, codes) -> stock_services.InsufficientStock:
    best = Counter()
    total = Counter()
    for warehouse in warehouses:
        for sku_id, units in available.get(warehouse.pk, {}).items():
            best[sku_id] = max(best[sku_id], units)
            total[sku_id] += max(units, 0)
    shortages = stock_selectors.shortages(needed, best, codes)
    missing = [codes[sku_id] for sku_id, qty in sorted(needed.items()) if total[sku_id] < qty]
    split = None
    if not missing:
        plan = stock_selectors.split_by_warehouse(order, needed, available, warehouses)
        if plan:
            split = [(w.code, {codes[sku_id]: qty for sku_id, qty in sorted(q.items())}) for w, q in plan]
    return stock_services.InsufficientStock(order, shortages, anywhere=True, missing=missing, split=split)


@transaction.atomic
def _allocate(*, actor, order_id: int, warehouse_id, at, recheck: bool) -> Order:
    group = locks.order_with_merged_for_update(order_id)
    order = next((o for o in group if o.pk == order_id), None)
    if order is None:
        raise Order.DoesNotExist(f"Order {order_id} does not exist.")
    if order.merged_into_id:
        raise DomainError(
            _("%(order)s ships with another order; allocate that one: %(master)s.")
            % {"order": order.number, "master": Order.objects.get(pk=order.merged_into_id).number}
        )
    for member in group:
        _check_transition_allowed(member, "allocate", actor)
        if not no_exception_blocking_allocation(member):
            raise DomainError(f"{member.number}: {no_exception_blocking_allocation.message}")
    lines = locks.lines_for_allocation([member.pk for member in group])
    needed = stock_selectors.quantities_by_sku(lines)
    if not needed:
        raise DomainError(_("%(order)s has no lines to allocate.") % {"order": order.number})
    codes = {line.sku_id: line.sku_code for line in lines if line.sku_id}
    warehouse_id = warehouse_id or order.warehouse_id
    if warehouse_id is None:
        available, warehouses = stock_selectors.available_in_active_warehouses(needed)
        ranked = stock_selectors.warehouses_for_order(order, needed, available, warehouses)
        if not ranked:
            raise _insufficient_anywhere(order, needed, available, warehouses, codes)
        warehouse = ranked[0]
    else:
        warehouse = Warehouse.objects.get(pk=warehouse_id)
    # Everything that does not need the stock rows is done before locking them,
    # so that a popular SKU's row is held only for the reservation itself and
    # the commit. Should the stock turn out short, all of it rolls back.
    lines_by_order = {}
    for line in lines:
        lines_by_order.setdefault(line.order_id, []).append(line)
    own_needs = {}
    for member in group:
        member.warehouse = warehouse
        member.checked_stock_shortages = (warehouse.pk, [])  # verified below, under the lock
        own_needs[member.pk] = stock_selectors.quantities_by_sku(lines_by_order.get(member.pk, []))
        resolved_exception = member.exception_reason
        _transition(
            member,
            "allocate",
            actor=actor,
            at=at,
            method_kwargs={"at": at},
            event_details={
                "warehouse": warehouse.code,
                "quantities": {codes[sku_id]: qty for sku_id, qty in sorted(own_needs[member.pk].items())},
                **({"ships_with": order.number} if member is not order else {}),
            },
            update_fields=["allocated_at", "warehouse"],
        )
        if resolved_exception:  # only "out of stock" gets past the transition's conditions
            _resolve_exception(member, actor=actor, at=at, resolution=_("Stock allocated."))
    levels = stock_locks.stock_rows_for_allocation(warehouse_id=warehouse.pk, sku_ids=list(needed))
    in_stock = {sku_id: level.available for sku_id, level in levels.items()}
    shortages = stock_selectors.shortages(needed, in_stock, codes)
    if shortages:
        if recheck and warehouse_id is None:
            raise _StaleChoice  # taken since it was read: choose again from a fresh read
        raise stock_services.InsufficientStock(order, shortages)
    for member in group:
        stock_services.reserve_locked(order=member, levels=levels, needed=own_needs[member.pk], actor=actor, at=at)
    return order


def _out_of_stock_note(error) -> str:
    parts = []
    if error.missing:
        parts.append(_("Missing: %(skus)s.") % {"skus": ", ".join(error.missing)})
    parts.append("; ".join(_("%(sku)s: need %(needed)s, available %(available)s") % s for s in error.shortages))
    if error.split:
        parts.append(_("Could ship split by warehouse: %(split)s.") % {"split": stock_services.describe_split(error.split)})
    return " ".join(parts)[:255]


@transaction.atomic
def order_flag_out_of_stock(*, actor, order_id: int, error, at=None) -> bool:
    """After a failed allocation (whose transaction rolled back): the approved order
    gets the exception "out of stock" with the missing SKUs, unless it has an
    exception already. Returns whether it was flagged."""
    order = locks.order_for_update(order_id)
    if order.status != OrderStatus.APPROVED or order.exception_reason:
        return False
    # A consequence of the attempt, not a choice: recorded as the attempt's actor, without their permission.
    _flag_exception(order, actor=actor, at=_now(at), reason=ExceptionReason.OUT_OF_STOCK, note=_out_of_stock_note(error))
    return True


def order_allocate_or_flag(*, actor, order_id: int, warehouse_id: int | None = None, at=None) -> Order:
    """Allocate; when there is not enough stock, flag the order "out of stock"
    (in a transaction of its own) and raise. The order's button, the bulk
    action and the scheduled job run this; stock arriving retries it."""
    try:
        return order_allocate(actor=actor, order_id=order_id, warehouse_id=warehouse_id, at=at)
    except stock_services.InsufficientStock as error:
        order_flag_out_of_stock(actor=actor, order_id=order_id, error=error, at=at)
        raise


@transaction.atomic
def order_deallocate(*, actor, order_id: int, at=None) -> Order:
    """Undo an allocation before picking: the reserved stock goes back and the
    order (with the orders merged into it) is approved again, without a warehouse."""
    at = _now(at)
    group = locks.order_with_merged_for_update(order_id)
    order = next((o for o in group if o.pk == order_id), None)
    if order is None:
        raise Order.DoesNotExist(f"Order {order_id} does not exist.")
    if order.merged_into_id:
        raise DomainError(
            _("%(order)s ships with another order; undo the allocation of that one.") % {"order": order.number}
        )
    for member in group:
        _check_transition_allowed(member, "deallocate", actor)
    for member in group:
        warehouse = member.warehouse.code if member.warehouse_id else ""
        _transition(member, "deallocate", actor=actor, at=at, event_details={"warehouse": warehouse})
        released = stock_services.stock_release_for_order(order=member, actor=actor, at=at)
        events.stock_released(order=member, actor=actor, at=at, quantities=released)
        member.warehouse = None
        member.save(update_fields=["warehouse", "updated_at"])
    return order


# --- many orders at once: the minute job, stock arriving, "allocate now" ---------------------

BATCH_SIZE = 50


def orders_allocate_approved(*, actor, order_ids) -> dict[str, int]:
    """Allocate these orders, most urgent first as given, in transactions of
    BATCH_SIZE orders; those without stock get "out of stock" with the missing
    SKUs. Orders merged with others go one by one through order_allocate.
    Returns how many were allocated and how many not."""
    ids = list(order_ids)
    totals = Counter(allocated=0, not_allocated=0)
    for start in range(0, len(ids), BATCH_SIZE):
        result, one_by_one = _allocate_batch_retrying(actor=actor, order_ids=ids[start : start + BATCH_SIZE])
        totals.update(result)
        for order_id in one_by_one:
            try:
                order_allocate_or_flag(actor=actor, order_id=order_id)
            except DomainError:
                totals["not_allocated"] += 1
            else:
                totals["allocated"] += 1
    return {"allocated": totals["allocated"], "not_allocated": totals["not_allocated"]}


def _allocate_batch_retrying(*, actor, order_ids):
    at = _now(None)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _allocate_batch(actor=actor, order_ids=order_ids, at=at)
        except OperationalError as error:
            cause = _retry_cause(error)
            if cause is None or attempt == ATTEMPTS:
                raise
            retries[cause] += 1
            time.sleep(random.uniform(0, 0.005 * attempt))
    raise AssertionError("unreachable: the last attempt raises or returns")


@transaction.atomic
def _allocate_batch(*, actor, order_ids, at):
    """One transaction for many orders, locking in the global order: the orders
    (sorted by id), their lines, then every stock row they could take, sorted
    by id, in one statement each. Each order is then allocated in turn from
    what was locked — the first (most urgent) first — or flagged out of stock."""
    wanted = [int(pk) for pk in order_ids]
    position = {pk: n for n, pk in enumerate(wanted)}
    locked = locks.orders_for_allocation_batch(wanted)
    carrying = {o.merged_into_id for o in locked if o.merged_into_id in position}
    one_by_one, batch, skipped = [], [], 0
    for order in sorted((o for o in locked if o.pk in position), key=lambda o: position[o.pk]):
        if order.merged_into_id or order.pk in carrying:
            one_by_one.append(order.pk)  # a parcel of several orders: order_allocate handles it
        elif order.status != OrderStatus.APPROVED or not no_exception_blocking_allocation(order):
            skipped += 1  # moved on, or held by an exception allocation cannot resolve
        else:
            _check_transition_allowed(order, "allocate", actor)
            batch.append(order)
    if not batch:
        return {"allocated": 0, "not_allocated": skipped}, one_by_one
    lines = locks.lines_for_allocation([order.pk for order in batch])
    needs = {order.pk: Counter() for order in batch}
    codes = {}
    for line in lines:
        if line.sku_id:
            needs[line.order_id][line.sku_id] += line.quantity
            codes[line.sku_id] = line.sku_code
    warehouses = stock_selectors.active_warehouses()
    named = {order.warehouse_id for order in batch if order.warehouse_id} - {w.pk for w in warehouses}
    by_id = {w.pk: w for w in [*warehouses, *Warehouse.objects.filter(pk__in=named)]}
    levels = stock_locks.stock_rows_for_allocation_batch(
        sku_ids={sku_id for needed in needs.values() for sku_id in needed}, warehouse_ids=by_id
    )
    available, level_of = {}, {}
    for level in levels:
        available.setdefault(level.warehouse_id, {})[level.sku_id] = level.available
        level_of[level.warehouse_id, level.sku_id] = level
    reservations, allocated, flagged = [], [], []
    with events.recorded_in_bulk():
        for order in batch:
            needed = needs[order.pk]
            if order.warehouse_id:
                in_stock = available.get(order.warehouse_id, {})
                fits = all(in_stock.get(sku_id, 0) >= qty for sku_id, qty in needed.items())
                ranked = [by_id[order.warehouse_id]] if needed and fits else []
            else:
                ranked = stock_selectors.warehouses_for_order(order, needed, available, warehouses)
            if not ranked:
                if not needed:
                    skipped += 1
                    continue
                error = (
                    stock_services.InsufficientStock(
                        order, stock_selectors.shortages(needed, available.get(order.warehouse_id, {}), codes)
                    )
                    if order.warehouse_id
                    else _insufficient_anywhere(order, needed, available, warehouses, codes)
                )
                if not order.exception_reason:
                    order.exception_reason, order.exception_note = ExceptionReason.OUT_OF_STOCK, _out_of_stock_note(error)
                    order.exception_owner, order.exception_raised_at = None, at
                    events.exception_flagged(order=order, actor=actor, at=at)
                    flagged.append(order)
                else:
                    skipped += 1
                continue
            warehouse = ranked[0]
            for sku_id, qty in needed.items():
                available[warehouse.pk][sku_id] -= qty
                reservations.append((order, level_of[warehouse.pk, sku_id], qty))
            source_status, resolved = order.status, order.exception_reason
            order.warehouse = warehouse
            order.checked_stock_shortages = (warehouse.pk, [])  # checked above, on the locked rows
            order.allocate(at=at)
            events.order_transitioned(
                order=order,
                actor=actor,
                at=at,
                transition="allocate",
                source_status=source_status,
                warehouse=warehouse.code,
                quantities={codes[sku_id]: qty for sku_id, qty in sorted(needed.items())},
            )
            if resolved:
                order.exception_reason, order.exception_note = "", ""
                order.exception_owner, order.exception_raised_at = None, None
                events.exception_resolved(order=order, actor=actor, at=at, reason=resolved, resolution=_("Stock allocated."))
            allocated.append(order)
        _save_batch(allocated, flagged, at=at)
    stock_services.reserve_locked_many(reservations, actor=actor, at=at)
    return {"allocated": len(allocated), "not_allocated": skipped + len(flagged)}, one_by_one


def _save_batch(allocated: list[Order], flagged: list[Order], *, at) -> None:
    """Write what the transitions and flags changed, in one UPDATE each (Django's
    bulk_update cost ~4 ms per order here: it builds an expression per cell)."""
    table = Order._meta.db_table
    when = Order._meta.get_field("allocated_at").get_db_prep_value(at, connection)
    with connection.cursor() as cursor:
        if allocated:
            # Allocation resolves "out of stock", the only exception it gets past: every one is cleared.
            cursor.execute(
                f"UPDATE {table} SET status = %s, allocated_at = %s, updated_at = %s, "  # noqa: S608
                "exception_reason = '', exception_note = '', exception_owner_id = NULL, exception_raised_at = NULL, "
                f"warehouse_id = CASE id {' '.join('WHEN %s THEN %s' for _ in allocated)} END "
                f"WHERE id IN ({', '.join(['%s'] * len(allocated))})",
                [OrderStatus.ALLOCATED.value, when, when]
                + [value for order in allocated for value in (order.pk, order.warehouse_id)]
                + [order.pk for order in allocated],
            )
        if flagged:
            cursor.execute(
                f"UPDATE {table} SET exception_reason = %s, exception_raised_at = %s, updated_at = %s, "  # noqa: S608
                "exception_owner_id = NULL, "
                f"exception_note = CASE id {' '.join('WHEN %s THEN %s' for _ in flagged)} END "
                f"WHERE id IN ({', '.join(['%s'] * len(flagged))})",
                [ExceptionReason.OUT_OF_STOCK.value, when, when]
                + [value for order in flagged for value in (order.pk, order.exception_note)]
                + [order.pk for order in flagged],
            )
