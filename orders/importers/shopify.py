"""Shopify ``orders_export.csv`` (Admin → Orders → Export): one row per line
item; the order's own columns are filled on its first row only, the
continuation rows repeat Name, Email, Created at and the Lineitem columns.
UTF-8, dates with a UTC offset (``2025-12-06 10:37:33 -0500``), quoted
multi-line Notes.

The order id is Name (``#1001``), which the shop's staff and buyers quote.
State: Cancelled at → closed; Fulfillment Status fulfilled → shipped;
otherwise Financial Status (pending → awaiting payment; authorized, paid,
partially paid/refunded → paid; refunded, voided or expired → closed).
An order paid and then cancelled or refunded keeps its payment and gets its
refund; a voided or expired authorisation never took money.

Money: Subtotal is the lines' prices less Discount Amount; Total is Subtotal
+ Shipping + Taxes, except in shops that show prices with tax (the EU, UK,
AU, …), whose prices already include Taxes: Total is Subtotal + Shipping.
Which one a row is, its own figures say. There the tax is taken out of the
lines (split by their totals, to the cent) so that our goods + shipping + tax
− discount is the platform's Total exactly. Figures that add up neither way
are kept as the file gives them and the order is flagged with why.
"""

from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import CENT, ZERO, PaymentMethod, Platform
from .records import PlatformLine, PlatformOrder, PlatformState
from .base import (
    Col,
    OrderFormat,
    RowError,
    amount,
    moment,
    per_line,
    quantity,
    read_grouped,
    required_text,
    unit_price_of,
)
from .cleaning import phone

NAME = Col("Name")
EMAIL = Col("Email")
FINANCIAL = Col("Financial Status")
PAID_AT = Col("Paid at")
FULFILLMENT = Col("Fulfillment Status")
FULFILLED_AT = Col("Fulfilled at")
CURRENCY = Col("Currency")
SUBTOTAL = Col("Subtotal")
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
REFUNDED = Col("Refunded Amount")
OUTSTANDING = Col("Outstanding Balance")

REQUIRED = (NAME.label, CREATED.label, LINE_QUANTITY.label, LINE_NAME.label)
# When and by whom the order was placed: a known order's file is compared by these.
PLACED_COLUMNS = (CREATED,)
BUYER_COLUMNS = (EMAIL,)
FINANCIAL_STATES = {
    "pending": PlatformState.PENDING_PAYMENT,
    "authorized": PlatformState.PAID,
    "paid": PlatformState.PAID,
    "partially_paid": PlatformState.PAID,
    "partially_refunded": PlatformState.PAID,
    "refunded": PlatformState.CLOSED,
    "voided": PlatformState.CLOSED,
    "expired": PlatformState.CLOSED,
}
# The buyer's money was taken (and may since have been refunded).
MONEY_TAKEN = ("paid", "partially_paid", "partially_refunded", "refunded")


def _financial(first) -> str:
    return first.get(FINANCIAL).strip().lower().replace(" ", "_")


def _state(first) -> str:
    if first.get(CANCELLED_AT):
        return PlatformState.CLOSED
    financial = _financial(first)
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


def _line_total(line: PlatformLine) -> Decimal:
    return line.unit_price * line.quantity - line.discount_amount


def _without_tax(lines: list[PlatformLine], tax: Decimal) -> list[PlatformLine]:
    """Lines whose prices include ``tax`` (between them), with it taken out:
    split by the lines' totals, rounded down to the cent, the cents left over
    going to the largest lines first, so that the shares add up to ``tax``."""
    totals = [_line_total(line) for line in lines]
    whole = sum(totals, ZERO)
    shares = [(tax * total / whole).quantize(CENT, rounding=ROUND_DOWN) for total in totals]
    left = int((tax - sum(shares, ZERO)) / CENT)
    for index in sorted(range(len(lines)), key=lambda at: totals[at], reverse=True)[:left]:
        shares[index] += CENT
    net = []
    for line, total, share in zip(lines, totals, shares, strict=True):
        if line.quantity <= 0:  # refused as it is by the import's checks
            net.append(line)
            continue
        unit, rounding = unit_price_of(total - share, line.quantity)
        net.append(PlatformLine(line.title, line.quantity, unit, rounding, line.sku_codes))
    return net


def _money(first, lines: list[PlatformLine]) -> tuple[list[PlatformLine], dict, str]:
    """(lines, the order's money fields, why its figures do not add up or "")."""
    shipping, taxes, discount = amount(first, SHIPPING), amount(first, TAXES), amount(first, DISCOUNT)
    total, subtotal = amount(first, TOTAL, default=None), amount(first, SUBTOTAL, default=None)
    lines_total = sum((_line_total(line) for line in lines), ZERO)
    # Discount Amount counts the discounts already allocated to lines (Lineitem discount) too.
    order_discount = discount - sum((line.discount_amount for line in lines), ZERO)
    figures = {"shipping_amount": shipping, "tax_amount": taxes, "discount_amount": max(order_discount, ZERO)}
    goods = lines_total - figures["discount_amount"]
    if total is None or order_discount < 0 or (subtotal is not None and subtotal != goods):
        note = _("Shopify's figures do not add up: lines %(lines)s, discount %(discount)s, subtotal %(subtotal)s.") % {
            "lines": lines_total,
            "discount": discount,
            "subtotal": subtotal if subtotal is not None else "—",
        }
        return lines, figures, note
    if goods + shipping + taxes == total:
        return lines, figures, ""
    if taxes and goods + shipping == total and taxes <= lines_total:
        return _without_tax(lines, taxes), figures, ""  # prices shown with tax
    note = _(
        "Shopify's figures do not add up: subtotal %(subtotal)s + shipping %(shipping)s + taxes %(taxes)s "
        "is neither the total %(total)s nor (prices with tax) without the taxes."
    ) % {"subtotal": goods, "shipping": shipping, "taxes": taxes, "total": total}
    return lines, figures, note


def _paid_amount(first, financial: str) -> Decimal | None:
    """What the buyer paid, by Shopify's own figures (None: nothing yet)."""
    total = amount(first, TOTAL, default=None)
    if financial == "pending" or total is None:
        return None
    if financial == "partially_paid":
        return total - amount(first, OUTSTANDING)
    return total


def _head(order_id: str, rows) -> tuple[str, str]:
    return _state(rows[0]), ""  # orders_export has no tracking numbers


def _order(order_id: str, rows, state: str) -> PlatformOrder:
    first = rows[0]
    financial = _financial(first)
    lines, figures, figures_note = _money(first, per_line(rows, _line))
    street = first.get(SHIP_ADDRESS1, SHIP_STREET)
    if first.get(SHIP_ADDRESS2):
        street = f"{street}, {first.get(SHIP_ADDRESS2)}"
    gateway = first.get(PAYMENT_METHOD).lower()
    card = any(word in gateway for word in ("card", "shopify payments", "shopify_payments", "stripe"))
    method = PaymentMethod.CARD if card else PaymentMethod.PLATFORM
    return PlatformOrder(
        platform_order_id=order_id,
        state=state,
        placed_at=moment(first, *PLACED_COLUMNS, required=True),
        lines=lines,
        details={
            "buyer_nick": first.get(*BUYER_COLUMNS),
            "buyer_message": first.get(NOTES),
            "ship_name": first.get(SHIP_NAME),
            "ship_phone": phone(first.get(SHIP_PHONE, PHONE, BILLING_PHONE)),
            "ship_country": first.get(SHIP_COUNTRY).upper(),
            "ship_province": first.get(SHIP_PROVINCE),
            "ship_city": first.get(SHIP_CITY),
            "ship_address": street,
            "ship_postcode": first.get(SHIP_ZIP),
            **({"currency": first.get(CURRENCY).upper()} if first.get(CURRENCY) else {}),
            **figures,
        },
        paid_at=moment(first, PAID_AT),
        paid_amount=_paid_amount(first, financial),
        payment_method=method,
        shipped_at=moment(first, FULFILLED_AT),
        closed_at=moment(first, CANCELLED_AT),
        paid_before_closing=state == PlatformState.CLOSED and financial in MONEY_TAKEN,
        refunded_amount=amount(first, REFUNDED),
        figures_note=figures_note,
    )


def read(files, *, channel, progress):
    return read_grouped(files, required=REQUIRED, key=NAME, head=_head, build=_order, progress=progress)


FORMAT = OrderFormat(
    code="shopify",
    label=gettext_lazy("Shopify: orders_export.csv"),
    platforms=(Platform.SHOPIFY,),
    read=read,
    columns=(REQUIRED,),
    placed_columns=PLACED_COLUMNS,
    buyer_columns=BUYER_COLUMNS,
)
