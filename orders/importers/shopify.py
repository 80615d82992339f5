"""Shopify ``orders_export.csv`` (Admin → Orders → Export): one row per line
item; the order's own columns are filled on its first row only, the
continuation rows repeat Name, Email, Created at and the Lineitem columns.
UTF-8, dates with a UTC offset (``2025-12-06 10:37:33 -0500``), quoted
multi-line Notes.

The order id is Name (``#1001``), which the shop's staff and buyers quote.
State: Cancelled at → closed; Fulfillment Status fulfilled → shipped;
otherwise Financial Status (pending → awaiting payment; authorized, paid,
partially paid/refunded → paid; refunded or voided → closed).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


from ..models import PaymentMethod, Platform
from ..services.imports import PlatformLine, PlatformOrder, PlatformState
from .base import Col, OrderFormat, RowError, amount, moment, per_line, quantity, read_grouped, required_text
from .cleaning import phone

NAME = Col("Name")
EMAIL = Col("Email")
FINANCIAL = Col("Financial Status")
PAID_AT = Col("Paid at")
FULFILLMENT = Col("Fulfillment Status")
FULFILLED_AT = Col("Fulfilled at")
CURRENCY = Col("Currency")
SHIPPING = Col("Shipping")
TAXES = Col("Taxes")
TOTAL = Col("Total")
DISCOUNT = Col("Discount Amount")
CREATED = Col("Created at")
LINE_QUANTITY = Col("Lineitem quantity")
LINE_NAME = Col("Lineitem name")
LINE_PRICE = Col("Lineitem price")
LINE_SKU = Col("Lineitem sku")
LINE_DISCOUNT = Col("Lineitem discount")
SHIP_NAME = Col("Shipping Name")
SHIP_ADDRESS1 = Col("Shipping Address1")
SHIP_ADDRESS2 = Col("Shipping Address2")
SHIP_STREET = Col("Shipping Street")
SHIP_CITY = Col("Shipping City")
SHIP_ZIP = Col("Shipping Zip")
SHIP_PROVINCE = Col("Shipping Province")
SHIP_COUNTRY = Col("Shipping Country")
SHIP_PHONE = Col("Shipping Phone")
BILLING_PHONE = Col("Billing Phone")
PHONE = Col("Phone")
NOTES = Col("Notes")
CANCELLED_AT = Col("Cancelled at")
PAYMENT_METHOD = Col("Payment Method")

REQUIRED = (NAME.label, CREATED.label, LINE_QUANTITY.label, LINE_NAME.label)
FINANCIAL_STATES = {
    "pending": PlatformState.PENDING_PAYMENT,
    "authorized": PlatformState.PAID,
    "paid": PlatformState.PAID,
    "partially_paid": PlatformState.PAID,
    "partially_refunded": PlatformState.PAID,
    "refunded": PlatformState.CLOSED,
    "voided": PlatformState.CLOSED,
}


def _state(first) -> str:
    if first.get(CANCELLED_AT):
        return PlatformState.CLOSED
    financial = first.get(FINANCIAL).strip().lower().replace(" ", "_")
    if financial not in FINANCIAL_STATES:
        raise RowError(_("%(column)s: unknown status “%(status)s”.") % {"column": FINANCIAL.label, "status": financial})
    fulfilled = first.get(FULFILLMENT).strip().lower() == "fulfilled"
    if fulfilled and financial not in ("pending",):
        return PlatformState.SHIPPED
    return FINANCIAL_STATES[financial]


def _line(row) -> PlatformLine:
    return PlatformLine(
        title=required_text(row, LINE_NAME),
        quantity=quantity(row, LINE_QUANTITY),
        unit_price=amount(row, LINE_PRICE),
        discount_amount=amount(row, LINE_DISCOUNT),
        sku_codes=(row.get(LINE_SKU),) if row.get(LINE_SKU) else (),
    )


def _head(order_id: str, rows) -> tuple[str, str]:
    return _state(rows[0]), ""  # orders_export has no tracking numbers


def _order(order_id: str, rows, state: str) -> PlatformOrder:
    first = rows[0]
    lines = per_line(rows, _line)
    street = first.get(SHIP_ADDRESS1, SHIP_STREET)
    if first.get(SHIP_ADDRESS2):
        street = f"{street}, {first.get(SHIP_ADDRESS2)}"
    gateway = first.get(PAYMENT_METHOD).lower()
    card = any(word in gateway for word in ("card", "shopify payments", "shopify_payments", "stripe"))
    method = PaymentMethod.CARD if card else PaymentMethod.PLATFORM
    total = amount(first, TOTAL, default=None)
    return PlatformOrder(
        platform_order_id=order_id,
        state=state,
        placed_at=moment(first, CREATED, required=True),
        lines=lines,
        details={
            "buyer_nick": first.get(EMAIL),
            "buyer_message": first.get(NOTES),
            "ship_name": first.get(SHIP_NAME),
            "ship_phone": phone(first.get(SHIP_PHONE, PHONE, BILLING_PHONE)),
            "ship_country": first.get(SHIP_COUNTRY).upper(),
            "ship_province": first.get(SHIP_PROVINCE),
            "ship_city": first.get(SHIP_CITY),
            "ship_address": street,
            "ship_postcode": first.get(SHIP_ZIP),
            **({"currency": first.get(CURRENCY).upper()} if first.get(CURRENCY) else {}),
            "shipping_amount": amount(first, SHIPPING),
            "tax_amount": amount(first, TAXES),
            "discount_amount": amount(first, DISCOUNT),
        },
        paid_at=moment(first, PAID_AT),
        paid_amount=total if total else None,
        payment_method=method,
        shipped_at=moment(first, FULFILLED_AT),
        closed_at=moment(first, CANCELLED_AT),
    )


def read(files, *, channel, progress):
    return read_grouped(files, required=REQUIRED, key=NAME, head=_head, build=_order, progress=progress)


FORMAT = OrderFormat(
    code="shopify",
    label=gettext_lazy("Shopify: orders_export.csv"),
    platforms=(Platform.SHOPIFY,),
    read=read,
)
