"""Platform SKU codes mapped to our SKUs, and the orders that waited for it.

An imported line whose platform code matched none of our SKUs is kept with
its code and no SKU; its order has the exception "unknown SKU" (and is on
hold once paid). ``sku_alias_create`` records the channel's code for one of
our SKUs, maps every waiting line of that channel, and for each order left
with no unmapped line resolves the exception and releases the hold the
import put on it, on the order's timeline.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import locks as stock_locks
from inventory.models import SKU, SKUAlias

from .. import events, locks
from core.errors import DomainError, require_permission
from ..models import Channel, ExceptionReason, Order, OrderLine, OrderStatus
from .exceptions import _resolve_exception
from .transitions import _transition


def _map_order_lines(order: Order, *, sku: SKU, platform_sku_code: str, actor, at) -> int:
    """Map this order's waiting lines with the code; resolve and release when none is left."""
    lines = locks.order_lines_for_update(order)
    waiting = [line for line in lines if line.sku_id is None and line.platform_sku_code == platform_sku_code]
    if not waiting:
        return 0
    OrderLine.objects.filter(pk__in=[line.pk for line in waiting]).update(sku=sku)
    events.lines_mapped(order=order, actor=actor, at=at, platform_sku_code=platform_sku_code, sku_code=sku.code, lines=len(waiting))
    waiting_ids = {line.pk for line in waiting}
    still_unmapped = [line for line in lines if line.sku_id is None and line.pk not in waiting_ids]
    if still_unmapped or order.exception_reason != ExceptionReason.UNKNOWN_SKU:
        if still_unmapped and order.exception_reason == ExceptionReason.UNKNOWN_SKU:
            order.exception_note = ", ".join(dict.fromkeys(line.platform_sku_code or line.title for line in still_unmapped))[:255]
            order.save(update_fields=["exception_note", "updated_at"])
        return len(waiting)
    _resolve_exception(
        order,
        actor=actor,
        at=at,
        resolution=_("Platform code %(code)s mapped to %(sku)s.") % {"code": platform_sku_code, "sku": sku.code},
    )
    if order.status == OrderStatus.ON_HOLD:
        # An order with the exception "unknown SKU" is on hold because the import put it there.
        _transition(order, "release", actor=actor, at=at)
    return len(waiting)


@transaction.atomic
def sku_alias_create(*, actor, channel: Channel, platform_sku_code: str, sku: SKU, at=None) -> tuple[SKUAlias, int]:
    """Map a channel's code to our SKU; returns the alias and how many orders it released or updated."""
    require_permission(actor, "inventory.add_skualias", _("Your role may not map SKU codes."))
    code = (platform_sku_code or "").strip()
    if not code:
        raise DomainError(_("A platform SKU code is required."))
    try:
        with transaction.atomic():
            alias = SKUAlias.objects.create(channel=channel, platform_sku_code=code, sku=sku)
    except IntegrityError:
        existing = SKUAlias.objects.select_related("sku").get(channel=channel, platform_sku_code=code)
        raise DomainError(
            _("%(channel)s already maps %(code)s to %(sku)s.") % {"channel": channel, "code": code, "sku": existing.sku.code}
        ) from None
    return alias, _map_waiting_orders(channel=channel, platform_sku_code=code, sku=sku, actor=actor, at=at or timezone.now())


@transaction.atomic
def sku_alias_change(*, actor, alias_id: int, platform_sku_code: str, sku: SKU, at=None) -> tuple[SKUAlias, int]:
    """Change an alias (a typo in the code, the wrong SKU); lines mapped before keep their SKU."""
    require_permission(actor, "inventory.change_skualias", _("Your role may not map SKU codes."))
    alias = stock_locks.sku_alias_for_update(alias_id)
    code = (platform_sku_code or "").strip()
    if not code:
        raise DomainError(_("A platform SKU code is required."))
    if SKUAlias.objects.filter(channel=alias.channel, platform_sku_code=code).exclude(pk=alias.pk).exists():
        raise DomainError(_("%(channel)s already maps %(code)s.") % {"channel": alias.channel, "code": code})
    alias.platform_sku_code, alias.sku = code, sku
    alias.save(update_fields=["platform_sku_code", "sku"])
    mapped = _map_waiting_orders(channel=alias.channel, platform_sku_code=code, sku=sku, actor=actor, at=at or timezone.now())
    return alias, mapped


def _map_waiting_orders(*, channel, platform_sku_code: str, sku: SKU, actor, at) -> int:
    order_ids = sorted(
        set(
            OrderLine.objects.filter(
                order__channel=channel, platform_sku_code=platform_sku_code, sku__isnull=True
            ).values_list("order_id", flat=True)
        )
    )
    touched = 0
    for order_id in order_ids:  # locked one by one, in id order
        order = locks.order_for_update(order_id)
        if _map_order_lines(order, sku=sku, platform_sku_code=platform_sku_code, actor=actor, at=at):
            touched += 1
    return touched
