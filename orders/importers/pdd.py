"""Pinduoduo seller order export (拼多多 商家后台 → 订单查询 → 导出): one row per
order as a rule (several rows of one 订单号 are read as several lines).

The address comes in separate columns (省, 市, 区, 街道). Amounts are per
row: 商品总价(元) the goods, 邮费(元) the shipping, 店铺优惠折扣 + 平台优惠折扣
the discount, 用户实付金额 what the buyer paid. Cells carry a trailing ``\\t``
(stripped by files.clean_cell). The seller's codes (商家编码-SKU维度, then the
规格/商品维度 ones) map to our SKUs; PDD's own 样式ID and 商品id are tried last.
"""

from django.utils.translation import gettext_lazy

from ..models import ZERO, Platform
from .records import PlatformLine, PlatformOrder, PlatformState
from .base import Col, OrderFormat, amount, moment, per_line, quantity, read_grouped, state_of, unit_price_of
from .cleaning import phone, province_short, status_key, tracking_number

ORDER_ID = Col("订单号")
TITLE = Col("商品")
SPEC = Col("商品规格")
STATUS = Col("订单状态")
GOODS = Col("商品总价(元)")
SHOP_DISCOUNT = Col("店铺优惠折扣(元)")
PLATFORM_DISCOUNT = Col("平台优惠折扣(元)")
POSTAGE = Col("邮费(元)")
PAID = Col("用户实付金额(元)")
QUANTITY = Col("商品数量(件)")
RECEIVER = Col("收货人")
MOBILE = Col("手机")
PROVINCE = Col("省")
CITY = Col("市")
DISTRICT = Col("区")
STREET = Col("街道")
PAID_AT = Col("支付时间")
GROUPED_AT = Col("拼单成功时间")
CONFIRMED_AT = Col("订单确认时间")
DEAL_AT = Col("订单成交时间")
PROMISED_AT = Col("承诺发货时间")
SHIPPED_AT = Col("发货时间")
RECEIVED_AT = Col("确认收货时间")
SKU_CODES = (Col("商家编码-SKU维度"), Col("商家编码-规格维度"), Col("商家编码-商品维度"), Col("样式ID"), Col("商品id"))
TRACKING = Col("快递单号")
CARRIER = Col("快递公司")
SELLER_MEMO = Col("商家备注")
BUYER_MESSAGE = Col("买家留言")

REQUIRED = (ORDER_ID.label, STATUS.label, QUANTITY.label)
# When and by whom the order was placed: a known order's file is compared by these.
PLACED_COLUMNS = (DEAL_AT, GROUPED_AT, PAID_AT, CONFIRMED_AT)
BUYER_COLUMNS = ()
STATUSES = {
    status_key(words): state
    for words, state in {
        "待支付": PlatformState.PENDING_PAYMENT,
        "待付款": PlatformState.PENDING_PAYMENT,
        "待成团": PlatformState.PENDING_PAYMENT,
        "待发货": PlatformState.PAID,
        "已支付": PlatformState.PAID,
        "已发货，待签收": PlatformState.SHIPPED,
        "已发货，待收货": PlatformState.SHIPPED,
        "已发货": PlatformState.SHIPPED,
        "已签收": PlatformState.COMPLETED,
        "已收货": PlatformState.COMPLETED,
        "交易成功": PlatformState.COMPLETED,
        "已取消": PlatformState.CLOSED,
        "交易关闭": PlatformState.CLOSED,
        "已关闭": PlatformState.CLOSED,
        "未发货，退款成功": PlatformState.CLOSED,
        "已发货，退款成功": PlatformState.CLOSED,
    }.items()
}


def _line(row) -> PlatformLine:
    count = quantity(row, QUANTITY)
    unit, discount = unit_price_of(amount(row, GOODS), count)
    title = " ".join(part for part in (row.get(TITLE), row.get(SPEC)) if part)
    return PlatformLine(
        title=title or row.get(*SKU_CODES),
        quantity=count,
        unit_price=unit,
        discount_amount=discount,
        sku_codes=tuple(code for code in (row.get(column) for column in SKU_CODES) if code),
    )


def _head(order_id: str, rows) -> tuple[str, str]:
    return state_of(rows[0], STATUS, STATUSES), tracking_number(rows[0].get(TRACKING))


def _order(order_id: str, rows, state: str) -> PlatformOrder:
    first = rows[0]
    lines = per_line(rows, _line)
    discount = sum((amount(row, SHOP_DISCOUNT) + amount(row, PLATFORM_DISCOUNT) for row in rows), ZERO)
    paid = sum((amount(row, PAID) for row in rows), ZERO)
    paid_at = moment(first, PAID_AT)
    return PlatformOrder(
        platform_order_id=order_id,
        state=state,
        placed_at=moment(first, *PLACED_COLUMNS, required=True),
        lines=lines,
        details={
            "buyer_message": first.get(BUYER_MESSAGE),
            "seller_memo": first.get(SELLER_MEMO),
            "ship_name": first.get(RECEIVER),
            "ship_phone": phone(first.get(MOBILE)),
            "ship_country": "CN",
            "ship_province": province_short(first.get(PROVINCE)),
            "ship_city": first.get(CITY),
            "ship_district": first.get(DISTRICT),
            "ship_address": first.get(STREET),
            "shipping_amount": max((amount(row, POSTAGE) for row in rows), default=ZERO),
            "discount_amount": discount,
            "promised_ship_by": moment(first, PROMISED_AT),
        },
        paid_at=paid_at,
        paid_amount=paid if paid > 0 else None,
        shipped_at=moment(first, SHIPPED_AT),
        completed_at=moment(first, RECEIVED_AT) if state == PlatformState.COMPLETED else None,
        carrier=first.get(CARRIER),
        tracking_number=tracking_number(first.get(TRACKING)),
    )


def read(files, *, channel, progress):
    return read_grouped(files, required=REQUIRED, key=ORDER_ID, head=_head, build=_order, progress=progress)


FORMAT = OrderFormat(
    code="pdd",
    label=gettext_lazy("Pinduoduo: order export (订单导出)"),
    platforms=(Platform.PDD,),
    read=read,
    columns=(REQUIRED,),
    placed_columns=PLACED_COLUMNS,
    buyer_columns=BUYER_COLUMNS,
)
