"""Order and stock files out: CSV (optionally UTF-8 with BOM, for Excel on
Chinese Windows) and XLSX, written row by row so that an export of 100,000
orders streams instead of building in memory.

Columns are declared as django-import-export Resources; each export keeps
only the columns the user's role may see (orders.permissions: a Warehouse
export has no phone numbers and no money). Every text cell is neutralised
against spreadsheet formula injection: a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading ``'``, so Excel shows
it as text (``+86 138…`` stays whole). django-import-export's own
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading ``=`` (GOTCHAS 3).
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from inventory.models import SKU, SKUAlias
from inventory.selectors import available_to_sell_by_sku

from . import permissions
from core.cleaning import visible_text
from core.errors import NotPermitted
from .importers.generic import CONTACT_COLUMNS as TEMPLATE_CONTACT_COLUMNS
from .importers.generic import MONEY_COLUMNS as TEMPLATE_MONEY_COLUMNS
from .importers.generic import OrderTemplateResource
from .models import Channel, Order, OrderLine

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV, XLSX = "csv", "xlsx"
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ROWS_PER_QUERY = 2000


def neutralise(value):
    """A cell as a spreadsheet will show it: text loses the characters nobody
    means to see (core.cleaning; XLSX cannot hold control characters, and rows
    stored before imports cleaned them may have them), and text that would
    start a formula gets a leading ``'``."""
    if isinstance(value, str):
        value = visible_text(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


class OrderExportResource(resources.Resource):
    """One row per order. Values are native (Decimal, datetime) for XLSX; CSV writes them as text."""

    number = fields.Field(attribute="number", column_name=gettext_lazy("Order number"))
    platform_order_id = fields.Field(attribute="platform_order_id", column_name=gettext_lazy("Platform order id"))
    channel = fields.Field(column_name=gettext_lazy("Channel"))
    status = fields.Field(column_name=gettext_lazy("Status"))
    placed_at = fields.Field(column_name=gettext_lazy("Placed"))
    paid_at = fields.Field(column_name=gettext_lazy("Paid"))
    shipped_at = fields.Field(column_name=gettext_lazy("Shipped"))
    buyer = fields.Field(attribute="buyer_nick", column_name=gettext_lazy("Buyer account"))
    recipient = fields.Field(attribute="ship_name", column_name=gettext_lazy("Recipient"))
    phone = fields.Field(attribute="ship_phone", column_name=gettext_lazy("Phone"))
    country = fields.Field(attribute="ship_country", column_name=gettext_lazy("Country"))
    province = fields.Field(attribute="ship_province", column_name=gettext_lazy("Province / state"))
    city = fields.Field(attribute="ship_city", column_name=gettext_lazy("City"))
    district = fields.Field(attribute="ship_district", column_name=gettext_lazy("District"))
    address = fields.Field(attribute="ship_address", column_name=gettext_lazy("Street address"))
    postcode = fields.Field(attribute="ship_postcode", column_name=gettext_lazy("Postcode"))
    warehouse = fields.Field(column_name=gettext_lazy("Warehouse"))
    carrier = fields.Field(attribute="carrier", column_name=gettext_lazy("Carrier"))
    tracking_number = fields.Field(attribute="tracking_number", column_name=gettext_lazy("Tracking number"))
    items = fields.Field(column_name=gettext_lazy("Items"))
    currency = fields.Field(attribute="currency", column_name=gettext_lazy("Currency"))
    goods_amount = fields.Field(column_name=gettext_lazy("Goods"))
    shipping_amount = fields.Field(column_name=gettext_lazy("Shipping"))
    discount_amount = fields.Field(column_name=gettext_lazy("Discount"))
    tax_amount = fields.Field(column_name=gettext_lazy("Tax"))
    total = fields.Field(column_name=gettext_lazy("Total"))
    paid_amount = fields.Field(column_name=gettext_lazy("Paid amount"))
    exception = fields.Field(column_name=gettext_lazy("Exception"))
    buyer_message = fields.Field(attribute="buyer_message", column_name=gettext_lazy("Buyer message"))
    seller_memo = fields.Field(attribute="seller_memo", column_name=gettext_lazy("Seller memo"))

    CONTACT_COLUMNS = ("phone",)
    MONEY_COLUMNS = ("currency", "goods_amount", "shipping_amount", "discount_amount", "tax_amount", "total", "paid_amount")

    class Meta:
        model = Order

    def dehydrate_channel(self, order):
        return order.channel.name

    def dehydrate_status(self, order):
        return order.get_status_display()

    def dehydrate_placed_at(self, order):
        return _local(order.placed_at)

    def dehydrate_paid_at(self, order):
        return _local(order.paid_at)

    def dehydrate_shipped_at(self, order):
        return _local(order.shipped_at)

    def dehydrate_warehouse(self, order):
        return order.warehouse.name if order.warehouse_id else ""

    def dehydrate_items(self, order):
        return "; ".join(
            f"{line.sku.code if line.sku_id else line.platform_sku_code or line.title} × {line.quantity}"
            for line in order.lines.all()
        )

    def dehydrate_goods_amount(self, order):
        return order.goods_amount

    def dehydrate_shipping_amount(self, order):
        return order.shipping_amount

    def dehydrate_discount_amount(self, order):
        return order.discount_amount

    def dehydrate_tax_amount(self, order):
        return order.tax_amount

    def dehydrate_total(self, order):
        return order.total_amount

    def dehydrate_paid_amount(self, order):
        return order.paid_amount

    def dehydrate_exception(self, order):
        return order.get_exception_reason_display() if order.exception_reason else ""


@dataclass(frozen=True)
class Layout:
    code: str
    label: str
    resource: type
    contact_columns: tuple
    money_columns: tuple


LAYOUTS = {
    "orders": Layout(
        "orders",
        gettext_lazy("One row per order"),
        OrderExportResource,
        OrderExportResource.CONTACT_COLUMNS,
        OrderExportResource.MONEY_COLUMNS,
    ),
    "template": Layout(
        "template",
        gettext_lazy("One row per line, in the import template's columns"),
        OrderTemplateResource,
        TEMPLATE_CONTACT_COLUMNS,
        TEMPLATE_MONEY_COLUMNS,
    ),
}


def visible_fields(resource, layout: Layout, user) -> list:
    """The resource's fields this user may receive."""
    hidden = set()
    if not permissions.can_see_buyer_contact(user):
        hidden |= set(layout.contact_columns)
    if not permissions.can_see_amounts(user):
        hidden |= set(layout.money_columns)
    return [field for name, field in resource.fields.items() if name not in hidden]


def hidden_column_labels(user) -> list[str]:
    """The one-row-per-order columns this user's files leave out, to say so on the export page."""
    layout = LAYOUTS["orders"]
    resource = layout.resource()
    visible = set(map(id, visible_fields(resource, layout, user)))
    return [str(field.column_name) for field in resource.fields.values() if id(field) not in visible]


def _order_rows(queryset, layout: Layout) -> Iterator:
    """Instances to export, read ROWS_PER_QUERY at a time (a page's query count does not grow with its rows)."""
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("id"))
    if layout.code == "orders":
        orders = queryset.select_related("channel", "warehouse").prefetch_related(lines).order_by("id")
        yield from orders.iterator(chunk_size=ROWS_PER_QUERY)
    else:
        yield from (
            OrderLine.objects.filter(order__in=queryset)
            .select_related("order", "sku")
            .order_by("order_id", "id")
            .iterator(chunk_size=ROWS_PER_QUERY)
        )


def export_table(user, queryset, layout_code: str = "orders") -> tuple[list[str], Iterator[list]]:
    """(headers, rows) of the orders as this user may see them; the rows are produced lazily."""
    if user is not None and not user.has_perm("orders.export_orders"):
        raise NotPermitted(_("Your role may not export orders."))
    layout = LAYOUTS[layout_code]
    resource = layout.resource()
    columns = visible_fields(resource, layout, user) if user is not None else list(resource.fields.values())
    headers = [str(field.column_name) for field in columns]

    def rows():
        for instance in _order_rows(queryset, layout):
            yield [resource.export_field(field, instance, force_native_type=True) for field in columns]

    return headers, rows()


# --- files ------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


class _Echo:
    def write(self, value):
        return value


def csv_chunks(headers: list[str], rows: Iterable[list], *, bom: bool = False) -> Iterator[bytes]:
    """CSV as UTF-8 (with a BOM when asked: Excel on Chinese Windows reads a file without one as GBK)."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff".encode()
    yield writer.writerow([neutralise(header) for header in headers]).encode()
    buffer = []
    for row in rows:
        buffer.append(writer.writerow([neutralise(_text(value)) for value in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def xlsx_file(headers: list[str], rows: Iterable[list], *, title: str = "orders"):
    """An XLSX in a temporary file (openpyxl's write-only mode: rows are not kept in memory)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([neutralise(header) for header in headers])
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return handle


def write_file(headers, rows, *, file_format: str, out, bom: bool = False, title: str = "orders") -> None:
    """Write the table to a binary file object."""
    if file_format == XLSX:
        with xlsx_file(headers, rows, title=title) as handle:
            while chunk := handle.read(1 << 20):
                out.write(chunk)
        return
    for chunk in csv_chunks(headers, rows, bom=bom):
        out.write(chunk)


def export_filename(prefix: str, file_format: str) -> str:
    return f"{prefix}-{timezone.localtime():%Y%m%d-%H%M}.{file_format}"


# --- available to sell per channel SKU ----------------------------------------------------------


def stock_table(user, channel: Channel) -> tuple[list[str], list[list]]:
    """Units each of the channel's SKU codes can still sell: its alias for our
    SKU, or our own SKU code where the channel sells under it. From
    inventory.selectors.available_to_sell_by_sku (on hand − reserved − safety
    stock, over active warehouses)."""
    if user is not None and not (user.has_perm("orders.export_orders") and user.has_perm("inventory.view_stocklevel")):
        raise NotPermitted(_("Your role may not export stock files."))
    available = available_to_sell_by_sku()
    aliases = {}
    for code, sku_id in SKUAlias.objects.filter(channel=channel).values_list("platform_sku_code", "sku_id"):
        aliases.setdefault(sku_id, []).append(code)
    rows = []
    for sku_id, code, name in SKU.objects.filter(is_active=True).values_list("id", "code", "name").order_by("code"):
        for platform_code in aliases.get(sku_id, [code]):
            rows.append([channel.code, platform_code, code, name, available.get(sku_id, 0)])
    rows.sort(key=lambda row: row[1])
    headers = [_("Channel"), _("Platform SKU code"), _("Our SKU"), _("Name"), _("Available to sell")]
    return headers, rows


def render(headers, rows, *, file_format: str, bom: bool = False, title: str = "orders") -> bytes:
    """The whole file as bytes (small exports, tests)."""
    out = io.BytesIO()
    write_file(headers, rows, file_format=file_format, out=out, bom=bom, title=title)
    return out.getvalue()
