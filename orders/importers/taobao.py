"""Taobao / Tmall seller export (卖家中心 → 已卖出的宝贝 → 批量导出): the order
report (订单报表, ``ExportOrderList….csv``, one row per order) and the item
report (宝贝报表, ``ExportOrderDetailList….csv``, one row per item), joined
by 订单编号.

Columns are found by name, so the 44-, 56- and 61-column versions of the
order report all read the same (the 61-column one inserts 支付单号/支付详情 in
the middle); the newer 买家会员昵称 stands in for 买家会员名 and 发货时间 /
确认收货时间 are used when present. Files are usually GBK; ids come as
``="123"`` text formulas and phones with a leading ``'`` (files.clean_cell).

The item report is optional: an order report alone updates the orders we
already have (statuses, tracking numbers); a new order needs its items.
"""

from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ZERO, Platform
from .records import PlatformLine, PlatformOrder, PlatformState
from .base import (
    Col,
    OrderFormat,
    Parsed,
    Rejected,
    RowError,
    SourceRow,
    amount,
    duplicate_reason,
    moment,
    per_line,
    quantity,
    required_text,
    source,
    state_of,
)
from .cleaning import phone, split_cn_address, status_key, tracking_number
from core.files import FileProblem, Row, header_names, read_rows
from .staging import RowStaging

ORDER_ID = Col("订单编号")
BUYER = Col("买家会员名")
BUYER_NICK = Col("买家会员昵称")
GOODS = Col("买家应付货款")
POSTAGE = Col("买家应付邮费")
TOTAL = Col("总金额")
PAID = Col("买家实际支付金额")
STATUS = Col("订单状态")
BUYER_MESSAGE = Col("买家留言")
RECEIVER = Col("收货人姓名")
ADDRESS = Col("收货地址 ")
MODIFIED_ADDRESS = Col("修改后的收货地址")
PHONE = Col("联系电话 ")
MOBILE = Col("联系手机")
CREATED = Col("订单创建时间")
PAID_AT = Col("订单付款时间 ")
SHIPPED_AT = Col("发货时间")
RECEIVED_AT = Col("确认收货时间")
TRACKING = Col("物流单号 ")
CARRIER = Col("物流公司")
MEMO = Col("订单备注")
CLOSE_REASON = Col("订单关闭原因")

TITLE = Col("标题")
PRICE = Col("价格")
QUANTITY = Col("购买数量")
OUTER_ID = Col("外部系统编号")
ATTRIBUTES = Col("商品属性")
PACKAGE = Col("套餐信息")
SELLER_CODE = Col("商家编码")

ORDER_REPORT_REQUIRED = (ORDER_ID.label, STATUS.label, CREATED.label)
# When and by whom the order was placed: a known order's file is compared by these.
PLACED_COLUMNS = (CREATED,)
BUYER_COLUMNS = (BUYER, BUYER_NICK)
ITEM_REPORT_REQUIRED = (ORDER_ID.label, TITLE.label, PRICE.label, QUANTITY.label)
NO_ITEMS = gettext_lazy("No rows for this order in the item report (宝贝报表); import the two files together.")
# Orders fetched from the staged item report at a time.
BLOCK = 1000

STATUSES = {
    status_key(words): state
    for words, state in {
        "等待买家付款": PlatformState.PENDING_PAYMENT,
        "付款确认中": PlatformState.PENDING_PAYMENT,
        "买家已付款，等待卖家发货": PlatformState.PAID,
        "等待卖家发货": PlatformState.PAID,
        "卖家部分发货": PlatformState.PAID,
        "卖家已发货，等待买家确认": PlatformState.SHIPPED,
        "卖家已发货": PlatformState.SHIPPED,
        "交易成功": PlatformState.COMPLETED,
        "交易关闭": PlatformState.CLOSED,
        "交易已关闭": PlatformState.CLOSED,
    }.items()
}


def _identify(files):
    """(order report, item report or None) among the uploaded files, by their headers."""
    order_report = item_report = None
    for named in files:
        names = set(header_names(named.binary))
        if QUANTITY in names and PRICE in names:
            kind = "items"
        elif STATUS in names and ORDER_ID in names:
            kind = "orders"
        else:
            raise FileProblem(
                _("%(file)s is neither a Taobao/Tmall order report (订单报表) nor an item report (宝贝报表).")
                % {"file": named.name}
            )
        if kind == "orders":
            if order_report is not None:
                raise FileProblem(_("Upload one order report (订单报表) at a time, with its item report."))
            order_report = named
        else:
            if item_report is not None:
                raise FileProblem(_("Upload one item report (宝贝报表) at a time, with its order report."))
            item_report = named
    if order_report is None:
        raise FileProblem(_("The order report (订单报表, ExportOrderList….csv) is missing; the item report alone has no buyers or statuses."))
    return order_report, item_report


def _line(row: Row) -> PlatformLine:
    title = required_text(row, TITLE)
    options = " ".join(value for value in (row.get(ATTRIBUTES), row.get(PACKAGE)) if value)
    if options and options not in title:
        title = f"{title} {options}"
    return PlatformLine(
        title=title[:255],
        quantity=quantity(row, QUANTITY),
        unit_price=amount(row, PRICE),
        sku_codes=tuple(code for code in (row.get(SELLER_CODE), row.get(OUTER_ID)) if code),
    )


def _build(row: Row, items: list[tuple[int, dict]], state: str) -> PlatformOrder:
    lines = per_line([Row(line, cells) for line, cells in items], _line)
    postage = amount(row, POSTAGE)
    goods_payable = amount(row, GOODS)
    total = amount(row, TOTAL, default=None)
    if total is None:
        total = goods_payable + postage
    goods = sum((line.unit_price * line.quantity for line in lines), ZERO) if lines else goods_payable
    paid = amount(row, PAID)
    return PlatformOrder(
        platform_order_id=row.cells.get(ORDER_ID, ""),
        state=state,
        placed_at=moment(row, *PLACED_COLUMNS, required=True),
        lines=lines,
        details={
            "buyer_nick": row.get(*BUYER_COLUMNS),
            "buyer_message": row.get(BUYER_MESSAGE),
            "seller_memo": row.get(MEMO),
            "ship_name": row.get(RECEIVER),
            "ship_phone": phone(row.get(MOBILE, PHONE)),
            "ship_country": "CN",
            **split_cn_address(row.get(MODIFIED_ADDRESS, ADDRESS)),
            "goods_amount": goods,
            "shipping_amount": postage,
            # 总金额 is what the buyer owes after the shop's discounts.
            "discount_amount": max(goods + postage - total, ZERO),
        },
        paid_at=moment(row, PAID_AT),
        paid_amount=paid if paid > 0 else None,
        shipped_at=moment(row, SHIPPED_AT),
        completed_at=moment(row, RECEIVED_AT) if state == PlatformState.COMPLETED else None,
        close_reason=row.get(CLOSE_REASON),
        carrier=row.get(CARRIER),
        tracking_number=tracking_number(row.get(TRACKING)),
    )


def _order(row: Row, items: list[tuple[int, dict]], *, order_file: str, item_file: str):
    """The order of one order-report row and its item rows (duplicate item rows reported and used once)."""
    platform_id = row.cells.get(ORDER_ID, "")
    rows = [source(order_file, row)]
    kept, seen, records = [], {}, []
    for line_number, cells in items:
        signature = tuple(cells.values())
        if signature in seen:
            duplicate = SourceRow(item_file, line_number, cells)
            records.append(Rejected([duplicate], duplicate_reason(seen[signature]), platform_id, order_rejected=False))
            continue
        seen[signature] = line_number
        rows.append(SourceRow(item_file, line_number, cells))
        kept.append((line_number, cells))
    try:
        if not platform_id:
            raise RowError(_("%(column)s is empty.") % {"column": ORDER_ID.label})
        state = state_of(row, STATUS, STATUSES)
    except RowError as error:
        return [Rejected(rows, str(error), platform_id), *records]
    parsed = Parsed(
        platform_id,
        state,
        tracking_number(row.get(TRACKING)),
        rows,
        partial(_build, row, kept, state),
        no_lines_reason=NO_ITEMS,
    )
    return [parsed, *records]


def read(files, *, channel, progress):
    order_report, item_report = _identify(files)
    with RowStaging() as staging:
        if item_report is not None:
            staging.add(
                (row.cells.get(ORDER_ID, ""), row.line, row.cells)
                for row in _counted(progress, read_rows(
                    item_report.binary, required=ITEM_REPORT_REQUIRED, on_header=progress.header_of(item_report.name)
                ))
            )
        item_name = item_report.name if item_report else ""
        block: list[Row] = []
        for row in read_rows(
            order_report.binary, required=ORDER_REPORT_REQUIRED, on_header=progress.header_of(order_report.name)
        ):
            progress.read(order_report.name, row)
            block.append(row)
            if len(block) >= BLOCK:
                yield from _block(block, staging, order_report.name, item_name)
                block = []
        yield from _block(block, staging, order_report.name, item_name)
        for platform_id, items in staging.unused():
            yield Rejected(
                [SourceRow(item_name, line, cells) for line, cells in items],
                _("No row for order %(id)s in the order report (订单报表).") % {"id": platform_id or "—"},
                platform_id,
            )


def _counted(progress, rows):
    for row in rows:  # the item report counts towards the progress too: it is read first, whole
        progress.rows += 1
        yield row


def _block(block: list[Row], staging: RowStaging, order_name: str, item_name: str):
    if not block:
        return
    items = staging.take([row.cells.get(ORDER_ID, "") for row in block])
    for row in block:
        yield from _order(row, items.get(row.cells.get(ORDER_ID, ""), []), order_file=order_name, item_file=item_name)


FORMAT = OrderFormat(
    code="taobao",
    label=gettext_lazy("Taobao / Tmall: order report + item report (订单报表 + 宝贝报表)"),
    platforms=(Platform.TAOBAO, Platform.TMALL),
    read=read,
    max_files=2,
    columns=(ORDER_REPORT_REQUIRED, ITEM_REPORT_REQUIRED),
    placed_columns=PLACED_COLUMNS,
    buyer_columns=BUYER_COLUMNS,
)
