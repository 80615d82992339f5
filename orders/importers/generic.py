"""Our own order template, for channels without a platform export of their
own (a website, B2B purchase orders, a marketplace we have no importer for):
CSV (any of the encodings files.py reads) or XLSX, one row per order line,
the order's columns repeated on each of its rows. README.md documents it.

The columns are declared once, as a django-import-export Resource: it writes
the blank template and exports orders in this layout (so an export can be
edited and imported again), and its column names are what the importer reads.
Reading and writing orders go through our pipeline and services, not through
the Resource's own import (one write path; GOTCHAS 4, 6).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from ..models import OrderLine, OrderStatus, Platform
from .records import PlatformLine, PlatformOrder, PlatformState
from .base import Col, OrderFormat, RowError, amount, moment, per_line, quantity, read_grouped
from .cleaning import phone, province_short, split_cn_address

# Our statuses as the template's words (the platform's view: where the order is, not who works it).
TEMPLATE_STATES = {
    "pending_payment": PlatformState.PENDING_PAYMENT,
    "paid": PlatformState.PAID,
    "shipped": PlatformState.SHIPPED,
    "delivered": PlatformState.DELIVERED,
    "completed": PlatformState.COMPLETED,
    "cancelled": PlatformState.CLOSED,
    "closed": PlatformState.CLOSED,
}
STATUS_WORDS = {
    OrderStatus.PENDING_PAYMENT: "pending_payment",
    OrderStatus.PAID: "paid",
    OrderStatus.ON_HOLD: "paid",
    OrderStatus.APPROVED: "paid",
    OrderStatus.ALLOCATED: "paid",
    OrderStatus.PICKING: "paid",
    OrderStatus.PACKED: "paid",
    OrderStatus.SHIPPED: "shipped",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.COMPLETED: "completed",
    OrderStatus.CANCELLED: "cancelled",
}
# Columns holding buyer contact details or money (left out for roles that may not see them).
CONTACT_COLUMNS = ("phone",)
MONEY_COLUMNS = ("currency", "shipping_amount", "discount_amount", "tax_amount", "paid_amount", "unit_price", "line_discount")


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class OrderTemplateResource(resources.Resource):
    """One row per order line: OrderLine instances with their order."""

    order_id = fields.Field(column_name="order_id")
    placed_at = fields.Field(column_name="placed_at")
    status = fields.Field(column_name="status")
    paid_at = fields.Field(column_name="paid_at")
    shipped_at = fields.Field(column_name="shipped_at")
    delivered_at = fields.Field(column_name="delivered_at")
    completed_at = fields.Field(column_name="completed_at")
    cancelled_at = fields.Field(column_name="cancelled_at")
    cancel_reason = fields.Field(attribute="order__cancel_reason", column_name="cancel_reason")
    currency = fields.Field(attribute="order__currency", column_name="currency")
    buyer = fields.Field(attribute="order__buyer_nick", column_name="buyer")
    recipient = fields.Field(attribute="order__ship_name", column_name="recipient")
    phone = fields.Field(attribute="order__ship_phone", column_name="phone")
    country = fields.Field(attribute="order__ship_country", column_name="country")
    province = fields.Field(attribute="order__ship_province", column_name="province")
    city = fields.Field(attribute="order__ship_city", column_name="city")
    district = fields.Field(attribute="order__ship_district", column_name="district")
    address = fields.Field(attribute="order__ship_address", column_name="address")
    postcode = fields.Field(attribute="order__ship_postcode", column_name="postcode")
    carrier = fields.Field(attribute="order__carrier", column_name="carrier")
    tracking_number = fields.Field(attribute="order__tracking_number", column_name="tracking_number")
    buyer_message = fields.Field(attribute="order__buyer_message", column_name="buyer_message")
    seller_memo = fields.Field(attribute="order__seller_memo", column_name="seller_memo")
    shipping_amount = fields.Field(attribute="order__shipping_amount", column_name="shipping_amount")
    discount_amount = fields.Field(attribute="order__discount_amount", column_name="discount_amount")
    tax_amount = fields.Field(attribute="order__tax_amount", column_name="tax_amount")
    paid_amount = fields.Field(attribute="order__paid_amount", column_name="paid_amount")
    sku = fields.Field(column_name="sku")
    title = fields.Field(attribute="title", column_name="title")
    quantity = fields.Field(attribute="quantity", column_name="quantity")
    unit_price = fields.Field(attribute="unit_price", column_name="unit_price")
    line_discount = fields.Field(attribute="discount_amount", column_name="line_discount")

    class Meta:
        model = OrderLine

    def dehydrate_order_id(self, line):
        return line.order.platform_order_id or line.order.number

    def dehydrate_status(self, line):
        return STATUS_WORDS[line.order.status]

    def dehydrate_sku(self, line):
        return line.sku.code if line.sku_id else line.platform_sku_code

    def dehydrate_placed_at(self, line):
        return _local(line.order.placed_at)

    def dehydrate_paid_at(self, line):
        return _local(line.order.paid_at)

    def dehydrate_shipped_at(self, line):
        return _local(line.order.shipped_at)

    def dehydrate_delivered_at(self, line):
        return _local(line.order.delivered_at)

    def dehydrate_completed_at(self, line):
        return _local(line.order.completed_at)

    def dehydrate_cancelled_at(self, line):
        return _local(line.order.cancelled_at)


TEMPLATE_COLUMNS = [field.column_name for field in OrderTemplateResource().get_export_fields()]
REQUIRED = ("order_id", "placed_at", "status", "quantity")
C = {name: Col(name) for name in TEMPLATE_COLUMNS}
# When and by whom the order was placed: a known order's file is compared by these.
PLACED_COLUMNS = (C["placed_at"],)
BUYER_COLUMNS = (C["buyer"],)


def _line(row) -> PlatformLine:
    sku, title = row.get(C["sku"]), row.get(C["title"])
    if not sku and not title:
        raise RowError(_("Give the line's sku or its title."))
    return PlatformLine(
        title=title or sku,
        quantity=quantity(row, C["quantity"]),
        unit_price=amount(row, C["unit_price"]),
        discount_amount=amount(row, C["line_discount"]),
        sku_codes=(sku,) if sku else (),
    )


def _head(order_id: str, rows) -> tuple[str, str]:
    words = rows[0].get(C["status"]).strip().lower()
    if words not in TEMPLATE_STATES:
        raise RowError(
            _("status: “%(status)s” is not one of %(allowed)s.")
            % {"status": words, "allowed": ", ".join(sorted(TEMPLATE_STATES))}
        )
    return TEMPLATE_STATES[words], rows[0].get(C["tracking_number"])


def _order(order_id: str, rows, state: str) -> PlatformOrder:
    first = rows[0]
    country = (first.get(C["country"]) or "CN").upper()
    address = {
        "ship_province": first.get(C["province"]),
        "ship_city": first.get(C["city"]),
        "ship_district": first.get(C["district"]),
        "ship_address": first.get(C["address"]),
        "ship_postcode": first.get(C["postcode"]),
    }
    if country == "CN":
        if not address["ship_province"]:
            address = {**split_cn_address(address["ship_address"]), **{k: v for k, v in address.items() if v and k != "ship_address"}}
        address["ship_province"] = province_short(address["ship_province"])
    paid = amount(first, C["paid_amount"], default=None)
    return PlatformOrder(
        platform_order_id=order_id,
        state=state,
        placed_at=moment(first, *PLACED_COLUMNS, required=True),
        lines=per_line(rows, _line),
        details={
            "buyer_nick": first.get(*BUYER_COLUMNS),
            "buyer_message": first.get(C["buyer_message"]),
            "seller_memo": first.get(C["seller_memo"]),
            "ship_name": first.get(C["recipient"]),
            "ship_phone": phone(first.get(C["phone"])),
            "ship_country": country,
            **address,
            **({"currency": first.get(C["currency"]).upper()} if first.get(C["currency"]) else {}),
            "shipping_amount": amount(first, C["shipping_amount"]),
            "discount_amount": amount(first, C["discount_amount"]),
            "tax_amount": amount(first, C["tax_amount"]),
        },
        paid_at=moment(first, C["paid_at"]),
        paid_amount=paid if paid else None,
        shipped_at=moment(first, C["shipped_at"]),
        delivered_at=moment(first, C["delivered_at"]),
        completed_at=moment(first, C["completed_at"]),
        closed_at=moment(first, C["cancelled_at"]),
        close_reason=first.get(C["cancel_reason"]),
        carrier=first.get(C["carrier"]),
        tracking_number=first.get(C["tracking_number"]),
    )


def read(files, *, channel, progress):
    return read_grouped(files, required=REQUIRED, key=C["order_id"], head=_head, build=_order, progress=progress)


FORMAT = OrderFormat(
    code="generic",
    label=gettext_lazy("Orderdesk template (CSV or XLSX, one row per line)"),
    platforms=(Platform.B2B, Platform.MANUAL, Platform.OTHER),
    read=read,
    columns=(REQUIRED,),
    placed_columns=PLACED_COLUMNS,
    buyer_columns=BUYER_COLUMNS,
)
