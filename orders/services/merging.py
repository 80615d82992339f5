"""Merge and split orders, and undo either until picking starts.

Merge: orders of the same channel, buyer and ship-to (name, phone, address),
paid, not yet picking and without a refund pending ship in one parcel. They
keep their own lines, money and timeline (payments, refunds and invoices stay
per order); the others point at the first one (``merged_into``), which the
warehouse allocates, picks, packs and ships for all of them.

Split: some units of some lines move to a new order (``split_from``) — chosen
by hand, or by warehouse when no single warehouse can ship the whole order.
The new order takes the goods amount of its units and the matching share of
what was paid; shipping, discount and tax stay on the original. A reservation
moves with the units through the ledger (released for one order, reserved for
the other). Undoing a split moves everything back and cancels the new order.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from inventory import selectors as stock_selectors
from inventory import services as stock_services

from .. import events, locks
from core.errors import DomainError, require_permission
from ..models import (
    CENT,
    MERGEABLE_STATUSES,
    SHIP_TO_FIELDS,
    ZERO,
    Order,
    OrderLine,
    OrderStatus,
)
from .transitions import _now, _transition

# Order fields a split-off order takes over from its original.
SPLIT_COPIED_FIELDS = (
    "channel_id",
    "customer_id",
    "buyer_nick",
    "buyer_message",
    "seller_memo",
    *SHIP_TO_FIELDS,
    "currency",
    "priority",
    "warehouse_id",
    "promised_ship_by",
    "placed_at",
    "paid_at",
    "approved_at",
    "allocated_at",
)


def _require_merge_perm(actor):
    require_permission(actor, "orders.merge_orders", _("Your role may not merge or split orders."))


def _not_started(order: Order) -> list[str]:
    """Why this order can no longer be merged or split (empty: it can)."""
    problems = []
    if order.status not in MERGEABLE_STATUSES:
        problems.append(
            _("%(order)s is %(status)s: only paid orders not yet picking can be merged or split.")
            % {"order": order.number, "status": order.get_status_display()}
        )
    if order.has_refund_pending():
        problems.append(_("%(order)s has a refund pending.") % {"order": order.number})
    return problems


def merge_problems(orders: list[Order]) -> list[str]:
    """Why these orders cannot ship together (empty: they can)."""
    if len(orders) < 2:
        return [_("Choose at least two orders to merge.")]
    first = orders[0]
    chosen = {order.pk for order in orders}
    problems = []
    for order in orders:
        problems += _not_started(order)
        if order.merged_into_id and order.merged_into_id not in chosen:
            problems.append(
                _("%(order)s already ships with another order; undo that merge first.") % {"order": order.number}
            )
        if order is not first and not order.ships_to_same_place_as(first):
            problems.append(
                _("%(order)s is not for the same channel, buyer and ship-to as %(first)s.")
                % {"order": order.number, "first": first.number}
            )
    allocated = {order.warehouse_id for order in orders if order.status == OrderStatus.ALLOCATED}
    if allocated and (len(allocated) > 1 or len(allocated) == 1 and any(o.status != OrderStatus.ALLOCATED for o in orders)):
        problems.append(
            _("Merge orders either all before allocation or all allocated in the same warehouse; undo the allocations first.")
        )
    return problems


@transaction.atomic
def order_merge(*, actor, order_ids, at=None) -> Order:
    """Ship these orders (and any already merged into them) in one parcel, under the oldest one."""
    _require_merge_perm(actor)
    at = _now(at)
    ids = sorted(set(order_ids))
    orders, unchanged = locks.orders_with_merged_for_update(ids)
    if len({order.pk for order in orders if order.pk in ids}) != len(ids):
        raise DomainError(_("Some of these orders do not exist."))
    if not unchanged:
        # What the clerk chose is not what there is now: merged or parted meanwhile by someone else.
        raise DomainError(
            _("%(orders)s changed while this merge waited (another merge or a cancellation); look at them again.")
            % {"orders": ", ".join(order.number for order in orders if order.pk in ids)}
        )
    problems = merge_problems(orders)
    if problems:
        raise DomainError(" ".join(dict.fromkeys(problems)))
    master, members = orders[0], orders[1:]
    numbers = [order.number for order in orders]
    for member in members:
        member.merged_into = master
        member.save(update_fields=["merged_into", "updated_at"])
    for order in orders:
        events.order_merged(order=order, actor=actor, at=at, ships_with=master.number, orders=numbers)
    return master


@transaction.atomic
def order_unmerge(*, actor, order_id: int, at=None) -> list[Order]:
    """Undo a merge: a member ships on its own again; undoing it on the order the
    parcel goes out under parts them all. Returns the orders that left."""
    _require_merge_perm(actor)
    at = _now(at)
    group = locks.merge_group_for_update(order_id)
    master, order = group[0], next(o for o in group if o.pk == order_id)
    leaving = [o for o in group if o is not master and (order is master or o is order)]
    if not leaving:
        raise DomainError(_("%(order)s is not merged with any order.") % {"order": order.number})
    started = [o.number for o in group if o.status not in (*MERGEABLE_STATUSES, OrderStatus.CANCELLED)]
    if started:
        raise DomainError(
            _("Picking has started for %(orders)s: the merge can no longer be undone.") % {"orders": ", ".join(started)}
        )
    for member in leaving:
        member.merged_into = None
        member.save(update_fields=["merged_into", "updated_at"])
        events.order_unmerged(order=member, actor=actor, at=at, ships_with=master.number)
    events.order_unmerged(order=master, actor=actor, at=at, ships_with=", ".join(o.number for o in leaving))
    return leaving


def leave_merge_on_cancel(order: Order, *, group: list[Order], actor, at) -> None:
    """A cancelled order no longer ships with the others; ``group`` is its parcel,
    locked (``locks.merge_group_for_update``)."""
    if order.merged_into_id:
        master_number = next(member.number for member in group if member.pk == order.merged_into_id)
        order.merged_into = None
        order.save(update_fields=["merged_into", "updated_at"])
        events.order_unmerged(order=order, actor=actor, at=at, ships_with=master_number)
        return
    members = [member for member in group if member.pk != order.pk]
    if members:
        # The next oldest order carries the parcel now.
        new_master = members[0]
        Order.objects.filter(pk__in=[m.pk for m in members[1:]]).update(merged_into=new_master)
        Order.objects.filter(pk=new_master.pk).update(merged_into=None)
        for member in members:
            events.order_unmerged(order=member, actor=actor, at=at, ships_with=order.number)


# --- split --------------------------------------------------------------------------


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return ZERO
    return (amount * part / whole).quantize(CENT, ROUND_HALF_UP)


def _next_child_number(parent: Order) -> str:
    taken = Order.objects.filter(split_from=parent).count()
    return f"{parent.number}-{taken + 1}"


def _split(parent: Order, lines: dict[int, OrderLine], quantities: dict[int, int], *, actor, at, warehouse=None) -> Order:
    moved_goods = sum((lines[line_id].unit_price * qty for line_id, qty in quantities.items()), ZERO)
    before_goods = parent.goods_amount
    child = Order(
        number=_next_child_number(parent),
        split_from=parent,
        status=parent.status,  # a new order born where its original stands, recorded on both timelines
        **{field: getattr(parent, field) for field in SPLIT_COPIED_FIELDS},
    )
    if warehouse is not None:
        child.warehouse = warehouse
    child.goods_amount = moved_goods
    child.paid_amount = min(_share(parent.paid_amount, moved_goods, before_goods), parent.paid_amount)
    child.save()
    parent.goods_amount -= moved_goods
    parent.paid_amount -= child.paid_amount
    parent.save(update_fields=["goods_amount", "paid_amount", "updated_at"])
    moved_skus = {}
    for line_id, qty in sorted(quantities.items()):
        line = lines[line_id]
        if line.sku_id:
            moved_skus[line.sku_id] = moved_skus.get(line.sku_id, 0) + qty
        if qty == line.quantity:
            line.order = child
            line.save(update_fields=["order"])
            continue
        discount = _share(line.discount_amount, Decimal(qty), Decimal(line.quantity))
        OrderLine.objects.create(
            order=child,
            sku_id=line.sku_id,
            platform_sku_code=line.platform_sku_code,
            title=line.title,
            quantity=qty,
            unit_price=line.unit_price,
            discount_amount=discount,
            split_from=line,
        )
        line.quantity -= qty
        line.discount_amount -= discount
        line.save(update_fields=["quantity", "discount_amount"])
    if parent.status == OrderStatus.ALLOCATED and moved_skus:
        stock_services.stock_move_reservation(from_order=parent, to_order=child, quantities=moved_skus, actor=actor, at=at)
    codes = {line.sku_id: line.sku.code for line in lines.values() if line.sku_id}
    by_code = {
        (codes.get(lines[line_id].sku_id) or lines[line_id].platform_sku_code or lines[line_id].title): qty
        for line_id, qty in sorted(quantities.items())
    }
    events.order_created(order=child, actor=actor, at=at, source="split")
    for order in (parent, child):
        events.order_split(order=order, actor=actor, at=at, parent=parent.number, child=child.number, quantities=by_code)
    return child


def _lock_for_split(order_id: int) -> tuple[Order, dict[int, OrderLine]]:
    order = locks.order_for_update(order_id)
    if order.merged_into_id or Order.objects.filter(merged_into=order).exists():
        raise DomainError(_("%(order)s is merged with other orders; undo the merge first.") % {"order": order.number})
    problems = _not_started(order)
    if problems:
        raise DomainError(" ".join(problems))
    lines = {line.pk: line for line in locks.lines_with_sku_for_update([order.pk])}
    return order, lines


@transaction.atomic
def order_split(*, actor, order_id: int, quantities: dict[int, int], at=None) -> Order:
    """Move ``quantities`` (order line id → units) to a new order; returns it."""
    _require_merge_perm(actor)
    at = _now(at)
    order, lines = _lock_for_split(order_id)
    quantities = {int(line_id): int(qty) for line_id, qty in quantities.items() if qty}
    if not quantities:
        raise DomainError(_("Choose the units to move to the new order."))
    for line_id, qty in quantities.items():
        if line_id not in lines:
            raise DomainError(_("%(order)s has no such line.") % {"order": order.number})
        if qty < 0 or qty > lines[line_id].quantity:
            raise DomainError(
                _("%(title)s: %(qty)s is more than the %(ordered)s units of the line.")
                % {"title": lines[line_id].title, "qty": qty, "ordered": lines[line_id].quantity}
            )
    if sum(quantities.values()) >= sum(line.quantity for line in lines.values()):
        raise DomainError(_("%(order)s: leave at least one unit on the original order.") % {"order": order.number})
    return _split(order, lines, quantities, actor=actor, at=at)


@transaction.atomic
def order_split_by_warehouse(*, actor, order_id: int, at=None) -> list[Order]:
    """When no single warehouse can ship the whole order: one order per warehouse
    of the split proposal, each assigned to its warehouse (allocated by the next
    allocation run). Returns the original and the new orders."""
    _require_merge_perm(actor)
    at = _now(at)
    order, lines = _lock_for_split(order_id)
    if order.status == OrderStatus.ALLOCATED:
        raise DomainError(_("%(order)s is allocated in one warehouse already.") % {"order": order.number})
    needed = stock_selectors.quantities_by_sku(lines.values())
    available, warehouses = stock_selectors.available_in_active_warehouses(needed)
    if stock_selectors.warehouses_for_order(order, needed, available, warehouses):
        raise DomainError(_("%(order)s can ship whole from one warehouse; allocate it.") % {"order": order.number})
    plan = stock_selectors.split_by_warehouse(order, needed, available, warehouses)
    if not plan:
        raise DomainError(
            _("%(order)s: some SKUs are not in stock in full in any warehouse; a split by warehouse would not help.")
            % {"order": order.number}
        )
    (first_warehouse, _first), *others = plan
    result = [order]
    for warehouse, skus in others:
        moving = {line_id: line.quantity for line_id, line in lines.items() if line.sku_id in skus}
        result.append(_split(order, lines, moving, actor=actor, at=at, warehouse=warehouse))
        for line_id in moving:
            del lines[line_id]
    order.warehouse = first_warehouse
    order.save(update_fields=["warehouse", "updated_at"])
    return result


@transaction.atomic
def order_unsplit(*, actor, order_id: int, at=None) -> Order:
    """Put a split-off order back into its original (both not yet picking); the
    split-off order is cancelled, its lines, amounts and reservation moved back."""
    _require_merge_perm(actor)
    at = _now(at)
    child = Order.objects.get(pk=order_id)
    if child.split_from_id is None:
        raise DomainError(_("%(order)s was not split from another order.") % {"order": child.number})
    orders = locks.orders_for_update([child.split_from_id, child.pk])
    parent, child = (orders[0], orders[1]) if orders[0].pk == child.split_from_id else (orders[1], orders[0])
    problems = []
    for order in (parent, child):
        problems += _not_started(order)
        if order.merged_into_id or Order.objects.filter(merged_into=order).exists():
            problems.append(_("%(order)s is merged with other orders; undo the merge first.") % {"order": order.number})
    allocated = [order.status == OrderStatus.ALLOCATED for order in (parent, child)]
    if any(allocated) and not (all(allocated) and parent.warehouse_id == child.warehouse_id):
        problems.append(
            _("%(parent)s and %(child)s must both be unallocated, or allocated in the same warehouse; undo the allocation first.")
            % {"parent": parent.number, "child": child.number}
        )
    if problems:
        raise DomainError(" ".join(problems))
    lines = locks.lines_with_sku_for_update([parent.pk, child.pk])
    parent_lines = {line.pk: line for line in lines if line.order_id == parent.pk}
    moved_skus = {}
    for line in (line for line in lines if line.order_id == child.pk):
        if line.sku_id:
            moved_skus[line.sku_id] = moved_skus.get(line.sku_id, 0) + line.quantity
        original = parent_lines.get(line.split_from_id)
        if original is None:
            line.order = parent
            line.save(update_fields=["order"])
            continue
        original.quantity += line.quantity
        original.discount_amount += line.discount_amount
        original.save(update_fields=["quantity", "discount_amount"])
        line.delete()
    if all(allocated) and moved_skus:
        stock_services.stock_move_reservation(from_order=child, to_order=parent, quantities=moved_skus, actor=actor, at=at)
    parent.goods_amount += child.goods_amount
    parent.paid_amount += child.paid_amount
    parent.save(update_fields=["goods_amount", "paid_amount", "updated_at"])
    child.goods_amount = child.paid_amount = ZERO
    reason = _("Put back into %(order)s") % {"order": parent.number}
    name = "cancel_allocated" if child.status == OrderStatus.ALLOCATED else "cancel"
    # Part of undoing the split, not a cancellation someone chose: no refund, no permission of its own.
    _transition(
        child, name, actor=actor, at=at, method_kwargs={"at": at, "reason": reason}, event_details={"reason": reason},
        check_permission=False,
    )
    for order in (parent, child):
        events.split_undone(order=order, actor=actor, at=at, parent=parent.number, child=child.number)
    return parent
