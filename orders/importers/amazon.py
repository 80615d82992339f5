"""Amazon "All Orders" report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL):
tab-separated, one row per order item, grouped by amazon-order-id.

item-price, item-tax and shipping-price are totals for the row's quantity,
not unit prices; promotion discounts may be written negative. The report
carries no buyer name, street or phone (Amazon keeps them), so these orders
need the address completed before they can be approved. FBA orders
(fulfillment-channel "Amazon") reported shipped are shipped by Amazon: they
are recorded as shipped outside our warehouses, our stock untouched.

item-status is each item's own state: a cancelled item is no line of the
order and none of its money counts; an order whose items are all cancelled
is closed whatever order-status says. The report has no ship date column:
a shipped order was shipped when it was last updated (last-updated-date),
not when it was bought.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


from ..models import ZERO, PaymentMethod, Platform
from .records import PlatformLine, PlatformOrder, PlatformState
from .base import Col, OrderFormat, RowError, amount, moment, per_line, quantity, read_grouped, state_of, unit_price_of
from .cleaning import status_key

ORDER_ID = Col("amazon-order-id")
PURCHASED = Col("purchase-date")
UPDATED = Col("last-updated-date")
STATUS = Col("order-status")
ITEM_STATUS = Col("item-status")
TITLE = Col("product-name")
SKU = Col("sku")
ASIN = Col("asin")
QUANTITY = Col("quantity")
CURRENCY = Col("currency")
ITEM_PRICE = Col("item-price")
ITEM_TAX = Col("item-tax")
SHIPPING_PRICE = Col("shipping-price")
SHIPPING_TAX = Col("shipping-tax")
GIFT_WRAP = Col("gift-wrap-price")
GIFT_WRAP_TAX = Col("gift-wrap-tax")
ITEM_PROMOTION = Col("item-promotion-discount")
SHIP_PROMOTION = Col("ship-promotion-discount")
CITY = Col("ship-city")
STATE = Col("ship-state")
POSTCODE = Col("ship-postal-code")
COUNTRY = Col("ship-country")

REQUIRED = (ORDER_ID.label, PURCHASED.label, STATUS.label, SKU.label, QUANTITY.label)
# When and by whom the order was placed: a known order's file is compared by these.
PLACED_COLUMNS = (PURCHASED,)
BUYER_COLUMNS = ()
STATUSES = {
    status_key(words): state
    for words, state in {
        "Pending": PlatformState.PENDING_PAYMENT,
        "Pending - Waiting for Pick Up": PlatformState.PAID,
        "Unshipped": PlatformState.PAID,
        "PartiallyShipped": PlatformState.PAID,
        "Shipping": PlatformState.SHIPPED,
        "Shipped": PlatformState.SHIPPED,
        "Shipped - Delivered to Buyer": PlatformState.DELIVERED,
        "Cancelled": PlatformState.CLOSED,
    }.items()
}


def _line(row) -> PlatformLine:
    count = quantity(row, QUANTITY)
    unit, discount = unit_price_of(amount(row, ITEM_PRICE), count)
    return PlatformLine(
        title=row.get(TITLE) or row.get(SKU),
        quantity=count,
        unit_price=unit,
        discount_amount=discount,
        sku_codes=tuple(code for code in (row.get(SKU), row.get(ASIN)) if code),
    )


def _cancelled(row) -> bool:
    return status_key(row.get(ITEM_STATUS)) == CANCELLED


CANCELLED = status_key("Cancelled")


def _head(order_id: str, rows) -> tuple[str, str]:
    if all(_cancelled(row) for row in rows):
        return PlatformState.CLOSED, ""
    return state_of(rows[0], STATUS, STATUSES), ""  # the All Orders report has no tracking numbers


def _order(order_id: str, rows, state: str) -> PlatformOrder:
    first = rows[0]
    if state == PlatformState.CLOSED and all(row.get(QUANTITY) in ("", "0") for row in rows):
        raise RowError(_("Cancelled on Amazon with no items left: there is nothing to import."))
    if state != PlatformState.CLOSED:
        rows = [row for row in rows if not _cancelled(row)]
    lines = per_line(rows, _line)
    tax = sum((amount(row, column) for row in rows for column in (ITEM_TAX, SHIPPING_TAX, GIFT_WRAP_TAX)), ZERO)
    shipping = sum((amount(row, SHIPPING_PRICE) + amount(row, GIFT_WRAP) for row in rows), ZERO)
    discount = sum((abs(amount(row, column)) for row in rows for column in (ITEM_PROMOTION, SHIP_PROMOTION)), ZERO)
    placed_at = moment(first, *PLACED_COLUMNS, required=True)
    return PlatformOrder(
        platform_order_id=order_id,
        state=state,
        placed_at=placed_at,
        lines=lines,
        details={
            "ship_country": first.get(COUNTRY).upper(),
            "ship_province": first.get(STATE),
            "ship_city": first.get(CITY),
            "ship_postcode": first.get(POSTCODE),
            **({"currency": first.get(CURRENCY).upper()} if first.get(CURRENCY) else {}),
            "shipping_amount": shipping,
            "tax_amount": tax,
            "discount_amount": discount,
        },
        paid_at=placed_at if state != PlatformState.PENDING_PAYMENT else None,
        payment_method=PaymentMethod.PLATFORM,
        shipped_at=moment(first, UPDATED) if state in (PlatformState.SHIPPED, PlatformState.DELIVERED) else None,
    )


def read(files, *, channel, progress):
    return read_grouped(files, required=REQUIRED, key=ORDER_ID, head=_head, build=_order, progress=progress)


FORMAT = OrderFormat(
    code="amazon",
    label=gettext_lazy("Amazon: All Orders report (tab-separated)"),
    platforms=(Platform.AMAZON,),
    read=read,
    columns=(REQUIRED,),
    placed_columns=PLACED_COLUMNS,
    buyer_columns=BUYER_COLUMNS,
)
