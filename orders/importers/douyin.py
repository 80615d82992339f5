"""Douyin shop order export (抖店 → 订单管理 → 导出): one row per sub-order
(子订单编号), grouped into orders by 主订单编号.

Each sub-order is a line: 商品单价 × 商品数量, its discounts (商家/平台/达人优惠)
summed into the order's discount, 订单应付金额 summed into what the buyer
paid; 运费 is the order's and repeated on each row. The order's state is its
sub-orders' (closed only when all are). Ids come with a leading ``'`` or
``\\t`` (files.clean_cell strips them); 收件地址 is one string.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ZERO, Platform
from .records import PlatformLine, PlatformOrder, PlatformState
from .base import Col, OrderFormat, RowError, amount, moment, per_line, quantity, read_grouped, state_of, unit_price_of
from .cleaning import phone, split_cn_address, status_key, tracking_number

ORDER_ID = Col("主订单编号")
SUB_ORDER_ID = Col("子订单编号")
TITLE = Col("选购商品")
SPEC = Col("商品规格")
PRODUCT_ID = Col("商品ID")
SELLER_CODE = Col("商家编码")
PLACED = Col("订单提交时间")
PAID_AT = Col("支付完成时间")
COMPLETED_AT = Col("订单完成时间")
SHIPPED_AT = Col("发货时间")
SELLER_MEMO = Col("商家备注")
STATUS = Col("订单状态")
CANCEL_REASON = Col("取消原因")
DISCOUNTS = (Col("商家优惠"), Col("平台优惠"), Col("达人优惠"))
GOODS = Col("商品金额")
PAYABLE = Col("订单应付金额")
FREIGHT = Col("运费")
QUANTITY = Col("商品数量")
UNIT_PRICE = Col("商品单价")
TRACKING = Col("快递单号")
CARRIER = Col("快递公司")
EXPRESS = Col("快递信息")
RECEIVER = Col("收件人")
ADDRESS = Col("收件地址")
MOBILE = Col("收件人手机号")

REQUIRED = (ORDER_ID.label, SUB_ORDER_ID.label, STATUS.label, QUANTITY.label)
# When and by whom the order was placed: a known order's file is compared by these.
PLACED_COLUMNS = (PLACED, PAID_AT)
BUYER_COLUMNS = ()
STATUSES = {
    status_key(words): state
    for words, state in {
        "待支付": PlatformState.PENDING_PAYMENT,
        "待付款": PlatformState.PENDING_PAYMENT,
        "待发货": PlatformState.PAID,
        "备货中": PlatformState.PAID,
        "已支付": PlatformState.PAID,
        "部分发货": PlatformState.PAID,
        "已发货": PlatformState.SHIPPED,
        "已完成": PlatformState.COMPLETED,
        "已收货": PlatformState.COMPLETED,
        "已关闭": PlatformState.CLOSED,
        "已取消": PlatformState.CLOSED,
        "交易关闭": PlatformState.CLOSED,
    }.items()
}


def _line(row) -> PlatformLine:
    count = quantity(row, QUANTITY)
    price = amount(row, UNIT_PRICE, default=None)
    if price is None:
        price, discount = unit_price_of(amount(row, GOODS), count)
    else:
        discount = ZERO
    title = " ".join(part for part in (row.get(TITLE), row.get(SPEC)) if part)
    return PlatformLine(
        title=title or row.get(SUB_ORDER_ID),
        quantity=count,
        unit_price=price,
        discount_amount=discount,
        sku_codes=tuple(code for code in (row.get(SELLER_CODE), row.get(PRODUCT_ID)) if code),
    )


def _express(row) -> tuple[str, str]:
    """(carrier, tracking number): their own columns, or 快递信息 such as ``中通快递 73123456789``."""
    carrier, number = row.get(CARRIER), tracking_number(row.get(TRACKING))
    if not number and row.get(EXPRESS):
        parts = row.get(EXPRESS).replace(":", " ").replace("：", " ").split()
        if len(parts) >= 2:
            carrier, number = carrier or parts[0], tracking_number(parts[-1])
    return carrier, number


def _head(order_id: str, rows) -> tuple[str, str]:
    """Open while any sub-order is: the state of the first open one; closed when all are."""
    states = per_line(rows, lambda row: state_of(row, STATUS, STATUSES))
    open_states = [state for state in states if state != PlatformState.CLOSED]
    return (open_states[0] if open_states else PlatformState.CLOSED), _express(rows[0])[1]


def _order(order_id: str, rows, state: str) -> PlatformOrder:
    seen_sub_orders = {}
    for row in rows:
        sub = row.get(SUB_ORDER_ID)
        if sub in seen_sub_orders:
            raise RowError(
                _("%(column)s %(id)s is on lines %(first)s and %(second)s with different values.")
                % {"column": SUB_ORDER_ID.label, "id": sub, "first": seen_sub_orders[sub], "second": row.line}
            )
        seen_sub_orders[sub] = row.line
    first = rows[0]
    states = [state_of(row, STATUS, STATUSES) for row in rows]
    open_rows = [row for row, row_state in zip(rows, states, strict=True) if row_state != PlatformState.CLOSED] or rows
    lines = per_line(open_rows, _line)
    goods = sum((line.unit_price * line.quantity - line.discount_amount for line in lines), ZERO)
    discount = sum((amount(row, column) for row in open_rows for column in DISCOUNTS), ZERO)
    payable = sum((amount(row, PAYABLE) for row in open_rows), ZERO)
    carrier, number = _express(first)
    return PlatformOrder(
        platform_order_id=order_id,
        state=state,
        placed_at=moment(first, *PLACED_COLUMNS, required=True),
        lines=lines,
        details={
            "seller_memo": first.get(SELLER_MEMO),
            "ship_name": first.get(RECEIVER),
            "ship_phone": phone(first.get(MOBILE)),
            "ship_country": "CN",
            **split_cn_address(first.get(ADDRESS)),
            "goods_amount": goods,
            "shipping_amount": amount(first, FREIGHT),
            "discount_amount": discount,
        },
        paid_at=moment(first, PAID_AT),
        paid_amount=payable if payable > 0 else None,
        shipped_at=moment(first, SHIPPED_AT),
        completed_at=moment(first, COMPLETED_AT) if state == PlatformState.COMPLETED else None,
        close_reason=first.get(CANCEL_REASON),
        carrier=carrier,
        tracking_number=number,
    )


def read(files, *, channel, progress):
    return read_grouped(files, required=REQUIRED, key=ORDER_ID, head=_head, build=_order, progress=progress)


FORMAT = OrderFormat(
    code="douyin",
    label=gettext_lazy("Douyin shop: order export, one row per sub-order (抖店订单导出)"),
    platforms=(Platform.DOUYIN,),
    read=read,
    columns=(REQUIRED,),
    placed_columns=PLACED_COLUMNS,
    buyer_columns=BUYER_COLUMNS,
)
