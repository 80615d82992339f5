"""Pick waves and parcels: the warehouse screens (orders.warehouse) call only
these. Each runs the orders' own transitions, for an order and the orders
merged into it (they are picked, packed and shipped as one parcel)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, require_permission
from core.numbering import take_number
from inventory.models import Wave, WaveOrder

from .. import events, locks
from ..models import Order, OrderStatus
from .lifecycle import order_pack, order_ship, order_start_picking

# One wave is one walk through the warehouse: beyond this, start another.
WAVE_LIMIT = 300


def _require_screens(actor) -> None:
    require_permission(actor, "inventory.use_warehouse_screens", _("Your role may not use the warehouse screens."))


@transaction.atomic
def wave_create(*, actor, warehouse, order_ids, at=None) -> Wave:
    """One pick wave for these allocated orders of ``warehouse`` (and the orders
    merged into them): all start picking, or none if one cannot."""
    _require_screens(actor)
    at = at or timezone.now()
    chosen = sorted(set(order_ids))
    if not chosen:
        raise DomainError(_("Choose the orders to pick."))
    if len(chosen) > WAVE_LIMIT:
        raise DomainError(_("A wave holds at most %(limit)s orders.") % {"limit": WAVE_LIMIT})
    members = list(Order.objects.filter(merged_into_id__in=chosen).exclude(status=OrderStatus.CANCELLED).values_list("pk", flat=True))
    orders = locks.orders_for_update([*chosen, *members])
    problems = []
    for order in orders:
        if order.pk in chosen and order.merged_into_id and order.merged_into_id not in chosen:
            problems.append(_("%(order)s ships with another order; pick that one.") % {"order": order.number})
        if order.warehouse_id != warehouse.pk:
            problems.append(_("%(order)s is not allocated in %(warehouse)s.") % {"order": order.number, "warehouse": warehouse})
        if order.status != OrderStatus.ALLOCATED:
            problems.append(
                _("%(order)s is %(status)s, not waiting to be picked.")
                % {"order": order.number, "status": order.get_status_display()}
            )
    if problems:
        raise DomainError(" ".join(problems))
    month = f"{timezone.localtime(at):%y%m%d}"
    wave = Wave.objects.create(
        number=f"WV{month}{take_number(f'wave:{month}'):04d}", warehouse=warehouse, created_by=actor, created_at=at
    )
    WaveOrder.objects.bulk_create(WaveOrder(wave=wave, order=order) for order in orders)
    for order in orders:
        order_start_picking(actor=actor, order_id=order.pk, at=at)
        events.wave_assigned(order=order, actor=actor, at=at, wave=wave.number)
    return wave


def _parcel_for_update(order_id: int) -> list[Order]:
    return [o for o in locks.merge_group_for_update(order_id) if o.status != OrderStatus.CANCELLED]


@transaction.atomic
def parcel_pack(*, actor, order_id: int, checked: dict[int, int], at=None) -> list[Order]:
    """Every unit of every line checked into the parcel: the order (and the
    orders merged into it) is packed. ``checked``: order line id → units checked."""
    _require_screens(actor)
    at = at or timezone.now()
    orders = _parcel_for_update(order_id)
    lines = locks.lines_with_sku_for_update([order.pk for order in orders])
    missing = []
    for line in lines:
        got = int(checked.get(line.pk, 0) or 0)
        if got != line.quantity:
            code = line.sku.code if line.sku_id else line.platform_sku_code
            missing.append(
                _("%(sku)s: %(got)s of %(quantity)s checked") % {"sku": code, "got": got, "quantity": line.quantity}
            )
    if missing:
        raise DomainError(_("Not every unit is checked: %(missing)s.") % {"missing": "; ".join(missing)})
    for order in orders:
        order_pack(actor=actor, order_id=order.pk, at=at)
    return orders


@transaction.atomic
def parcel_ship(*, actor, order_id: int, carrier: str, tracking_number: str, at=None) -> list[Order]:
    """The parcel leaves with this carrier and tracking number (for the order and those merged into it)."""
    _require_screens(actor)
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier or not tracking_number:
        raise DomainError(_("A carrier and a tracking number are required."))
    orders = _parcel_for_update(order_id)
    # Shipping the parcel's order claims the tracking number for the whole parcel (services.shipments).
    for order in orders:
        order_ship(actor=actor, order_id=order.pk, carrier=carrier, tracking_number=tracking_number, at=at)
    return orders
