"""Recording orders as the channels give them."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import SKU, SKUAlias

from .. import events
from core.errors import DomainError, require_permission
from ..models import (
    ZERO,
    Channel,
    ExceptionReason,
    Order,
    OrderLine,
    PaymentMethod,
)
from core.numbering import take_numbers
from .exceptions import _flag_exception
from .lifecycle import _mark_paid


@dataclass(frozen=True)
class LineInput:
    title: str
    quantity: int
    unit_price: Decimal = ZERO
    discount_amount: Decimal = ZERO
    sku: SKU | None = None
    platform_sku_code: str = ""


def _next_order_numbers(count: int) -> list[str]:
    day = timezone.localdate().strftime("%y%m%d")
    return [f"SO{day}{value:06d}" for value in take_numbers(f"order:{day}", count)]


def _resolve_sku(channel: Channel, line: LineInput) -> SKU | None:
    if line.sku is not None or not line.platform_sku_code:
        return line.sku
    alias = (
        SKUAlias.objects.select_related("sku").filter(channel=channel, platform_sku_code=line.platform_sku_code).first()
    )
    if alias:
        return alias.sku
    return SKU.objects.filter(code=line.platform_sku_code).first()


@transaction.atomic
def order_create(
    *,
    actor,
    channel: Channel,
    lines: Iterable[LineInput],
    placed_at,
    platform_order_id: str = "",
    source: str = "manual",
    paid_at=None,
    payment_method: str = PaymentMethod.PLATFORM,
    **details,
) -> Order:
    """Record an order as the platform gives it; a paid order is marked paid at once.

    ``details`` are the Order's own fields (ship-to, amounts, customer, ...).
    Lines whose SKU cannot be resolved leave the order with the exception
    "unknown SKU", so that it cannot be approved until they are mapped.
    """
    require_permission(actor, "orders.add_order", _("Your role may not create orders."))
    lines = list(lines)
    if not lines:
        raise DomainError(_("An order needs at least one line."))
    if platform_order_id and Order.objects.filter(channel=channel, platform_order_id=platform_order_id).exists():
        raise DomainError(
            _("Channel %(channel)s already has an order %(id)s.") % {"channel": channel, "id": platform_order_id}
        )
    details.setdefault("currency", channel.default_currency)
    details.setdefault("goods_amount", sum((line.unit_price * line.quantity for line in lines), ZERO))
    order = Order.objects.create(
        number=_next_order_numbers(1)[0],
        channel=channel,
        platform_order_id=platform_order_id,
        placed_at=placed_at,
        **details,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=_resolve_sku(channel, line),
            platform_sku_code=line.platform_sku_code,
            title=line.title,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_amount=line.discount_amount,
        )
        for line in lines
    )
    events.order_created(order=order, actor=actor, at=placed_at, source=source)
    unmapped = [line.platform_sku_code or line.title for line in order.lines.filter(sku__isnull=True)]
    if unmapped:
        _flag_exception(order, actor=actor, at=placed_at, reason=ExceptionReason.UNKNOWN_SKU, note=", ".join(unmapped))
    if paid_at is not None:
        # The platform already took the money: a fact we record, not a clerk's decision.
        _mark_paid(
            order,
            actor=actor,
            at=paid_at,
            amount=order.total_amount,
            method=payment_method,
            reference="",
            check_permission=False,
        )
    return order
