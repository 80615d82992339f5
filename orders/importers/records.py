"""What an importer hands over: one order as a platform file gives it, in
our terms (the platform's state, its lines, its own money). The importers
build these; orders.services.imports writes them."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy

from ..models import ZERO, PaymentMethod


class PlatformState(models.TextChoices):
    """Where the platform says the order is; each importer maps its own status words onto these."""

    PENDING_PAYMENT = "pending_payment", gettext_lazy("Awaiting payment")
    PAID = "paid", gettext_lazy("Paid, awaiting shipment")
    SHIPPED = "shipped", gettext_lazy("Shipped")
    DELIVERED = "delivered", gettext_lazy("Delivered")
    COMPLETED = "completed", gettext_lazy("Completed")
    CLOSED = "closed", gettext_lazy("Closed / cancelled")


@dataclass(frozen=True)
class PlatformLine:
    title: str
    quantity: int
    unit_price: Decimal = ZERO
    discount_amount: Decimal = ZERO
    sku_codes: tuple[str, ...] = ()  # the platform's codes for the item, best first (seller code, platform SKU id, ...)


@dataclass
class PlatformOrder:
    """One order as a platform file gives it."""

    platform_order_id: str
    state: str  # a PlatformState
    placed_at: datetime
    lines: list[PlatformLine] = field(default_factory=list)
    details: dict = field(default_factory=dict)  # IMPORTED_FIELDS
    paid_at: datetime | None = None
    paid_amount: Decimal | None = None
    payment_method: str = PaymentMethod.PLATFORM
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str = ""
    carrier: str = ""
    tracking_number: str = ""
    # Closed on the platform after the buyer paid: the payment is recorded, then refunded.
    paid_before_closing: bool = False
    refunded_amount: Decimal = ZERO  # what the platform says it has refunded
    # Why the platform's own figures do not add up (empty: they do); the order is
    # flagged with it rather than given amounts the platform never charged.
    figures_note: str = ""

    @property
    def total_amount(self) -> Decimal:
        details = self.details
        goods = details.get("goods_amount")
        if goods is None:
            goods = sum((line.unit_price * line.quantity - line.discount_amount for line in self.lines), ZERO)
        return (
            goods
            + details.get("shipping_amount", ZERO)
            + details.get("tax_amount", ZERO)
            - details.get("discount_amount", ZERO)
        )
