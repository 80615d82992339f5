"""JD POP seller order export (京东 商家后台 → 订单导出): one row per item, the
order's columns repeated on each; joined into orders by 订单号.

Amounts: 京东价 is the unit price, 运费金额 the shipping, 应付金额 what the
buyer pays for the whole order (the difference to goods + shipping is the
order's discount). 客户地址 is one string, split into province, city and
district. The platform's SKU id (商品ID) is the line's code; 货号 (the seller's
own item number) is tried too when mapping to our SKUs.
"""

from django.utils.translation import gettext_lazy

from ..models import ZERO, Platform
from .records import PlatformLine, PlatformOrder, PlatformState
from .base import Col, OrderFormat, amount, moment, per_line, quantity, read_grouped, required_text, state_of
from .cleaning import phone, split_cn_address, status_key, tracking_number

ORDER_ID = Col("订单号")
SKU_ID = Col("商品ID")
TITLE = Col("商品名称")
QUANTITY = Col("订购数量")
PLACED = Col("下单时间")
PRICE = Col("京东价")
PAYABLE = Col("应付金额")
ORDER_AMOUNT = Col("订单金额")
STATUS = Col("订单状态")
ACCOUNT = Col("下单帐号")
NAME = Col("客户姓名")
ADDRESS = Col("客户地址")
PHONE = Col("联系电话")
BUYER_NOTE = Col("订单备注")
SELLER_MEMO = Col("商家备注")
FREIGHT = Col("运费金额")
PAID_AT = Col("付款确认时间")
ITEM_NUMBER = Col("货号")
COMPLETED_AT = Col("订单完成时间")
SHIPPED_AT = Col("出库时间")
CARRIERS = (Col("快递公司"), Col("承运商"), Col("物流公司"))
TRACKING = (Col("运单号"), Col("快递单号"), Col("物流单号"))

REQUIRED = (ORDER_ID.label, SKU_ID.label, QUANTITY.label, STATUS.label, PLACED.label)
# When and by whom the order was placed: a known order's file is compared by these.
PLACED_COLUMNS = (PLACED,)
BUYER_COLUMNS = (ACCOUNT,)
STATUSES = {
    status_key(words): state
    for words, state in {
        "等待付款": PlatformState.PENDING_PAYMENT,
        "等待付款确认": PlatformState.PENDING_PAYMENT,
        "等待出库": PlatformState.PAID,
        "等待发货": PlatformState.PAID,
        "暂停": PlatformState.PAID,
        "锁定": PlatformState.PAID,  # a refund or change request is open on JD: the order has not moved
        "等待确认收货": PlatformState.SHIPPED,
        "已发货": PlatformState.SHIPPED,
        "配送中": PlatformState.SHIPPED,
        "完成": PlatformState.COMPLETED,
        "已完成": PlatformState.COMPLETED,
        "已取消": PlatformState.CLOSED,
        "取消": PlatformState.CLOSED,
        "订单取消": PlatformState.CLOSED,
    }.items()
}


def _line(row) -> PlatformLine:
    return PlatformLine(
        title=required_text(row, TITLE),
        quantity=quantity(row, QUANTITY),
        unit_price=amount(row, PRICE),
        sku_codes=tuple(code for code in (row.get(SKU_ID), row.get(ITEM_NUMBER)) if code),
    )


def _head(order_id: str, rows) -> tuple[str, str]:
    return state_of(rows[0], STATUS, STATUSES), tracking_number(rows[0].get(*TRACKING))


def _order(order_id: str, rows, state: str) -> PlatformOrder:
    first = rows[0]
    lines = per_line(rows, _line)
    goods = sum((line.unit_price * line.quantity for line in lines), ZERO)
    shipping = amount(first, FREIGHT)
    payable = amount(first, PAYABLE, ORDER_AMOUNT, default=goods + shipping)
    return PlatformOrder(
        platform_order_id=order_id,
        state=state,
        placed_at=moment(first, *PLACED_COLUMNS, required=True),
        lines=lines,
        details={
            "buyer_nick": first.get(*BUYER_COLUMNS),
            "buyer_message": first.get(BUYER_NOTE),
            "seller_memo": first.get(SELLER_MEMO),
            "ship_name": first.get(NAME),
            "ship_phone": phone(first.get(PHONE)),
            "ship_country": "CN",
            **split_cn_address(first.get(ADDRESS)),
            "goods_amount": goods,
            "shipping_amount": shipping,
            "discount_amount": max(goods + shipping - payable, ZERO),
        },
        paid_at=moment(first, PAID_AT),
        paid_amount=payable if payable > 0 else None,
        shipped_at=moment(first, SHIPPED_AT),
        completed_at=moment(first, COMPLETED_AT) if state == PlatformState.COMPLETED else None,
        carrier=first.get(*CARRIERS),
        tracking_number=tracking_number(first.get(*TRACKING)),
    )


def read(files, *, channel, progress):
    return read_grouped(files, required=REQUIRED, key=ORDER_ID, head=_head, build=_order, progress=progress)


FORMAT = OrderFormat(
    code="jd",
    label=gettext_lazy("JD: POP order export (订单导出)"),
    platforms=(Platform.JD,),
    read=read,
    columns=(REQUIRED,),
    placed_columns=PLACED_COLUMNS,
    buyer_columns=BUYER_COLUMNS,
)
