"""Platform files for trying the imports on the demo: a Taobao/Tmall export
pair for the demo's Tmall shop (GBK, with the platform's quirks: ``="…"``
ids, ``'`` phones, trailing spaces in headers), and a tracking file for the
demo's packed orders. ``manage.py demo_order_files`` writes them.

The pair has orders in every platform status, one order with a SKU code the
shop has not mapped yet (it waits on hold) and one row with an amount that
is not a number (rejected with the reason), so that the preview shows each
kind of outcome.
"""

import random
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from inventory.models import SKUAlias
from orders.models import Channel, Order, OrderStatus


ORDER_HEADER = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ",
    "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因",
]  # fmt: skip
ITEM_HEADER = ["订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注", "订单状态", "商家编码"]
STATUSES = ["买家已付款，等待卖家发货"] * 5 + ["卖家已发货，等待买家确认"] * 2 + ["交易成功"] * 2 + ["等待买家付款", "交易关闭"]
PLACES = [
    "上海 上海市 浦东新区 世纪大道100号(200120)",
    "江苏省 南京市 玄武区 中山路1号",
    "浙江省 杭州市 西湖区 文三路90号",
    "北京 北京市 朝阳区 建国路88号",
]
NAMES = ["王小明", "李娜", "陈静", "赵强", "周杰"]


def _cell(value) -> str:
    text = str(value)
    if any(char in text for char in ',"\n\r') or text != text.strip(" "):
        return '"' + text.replace('"', '""') + '"'
    return text


def _line(header, row) -> str:
    return ",".join(row.get(name, "") if name == "订单编号" else _cell(row.get(name, "")) for name in header) + "\r\n"


def write_taobao_pair(out_dir: Path, *, channel_code: str = "tmall", orders: int = 24, seed: int = 7) -> list[Path]:
    """The order report and item report for ``orders`` new orders of the channel."""
    rng = random.Random(seed)
    channel = Channel.objects.get(code=channel_code)
    aliases = list(SKUAlias.objects.filter(channel=channel).select_related("sku").order_by("id")[:60])
    now = timezone.localtime()
    stamp = f"{now:%Y%m%d%H%M}"
    order_rows, item_rows = [], []
    for number in range(orders):
        order_id = f"{4_100_000_000_000_000 + int(stamp[-6:]) * 1000 + number}"
        status = rng.choice(STATUSES)
        goods = 0
        for alias in rng.sample(aliases, rng.choice((1, 1, 2))):
            quantity, price = rng.choice((1, 1, 2)), rng.choice((59, 99, 129))
            goods += quantity * price
            item_rows.append({"订单编号": f'="{order_id}"', "标题": alias.sku.name.split(" / ")[0], "价格": f"{price:.2f}",
                              "购买数量": str(quantity), "订单状态": status, "商家编码": alias.platform_sku_code})  # fmt: skip
        if number == 3:  # a product the shop listed but nobody mapped yet
            goods += 88
            item_rows.append({"订单编号": f'="{order_id}"', "标题": "新品 桂花乌龙 礼盒", "价格": "88.00", "购买数量": "1",
                              "订单状态": status, "商家编码": "4599990000001"})  # fmt: skip
        paid = status not in ("等待买家付款", "交易关闭")
        shipped = status in ("卖家已发货，等待买家确认", "交易成功")
        placed = now - timedelta(hours=rng.randint(2, 72))
        order_rows.append(
            {
                "订单编号": f'="{order_id}"',
                "买家会员名": f"tb{rng.randrange(10**6):06d}",
                "买家应付货款": f"{goods:.2f}",
                "买家应付邮费": "十元" if number == 5 else "0.00",  # a cell that is not an amount
                "总金额": f"{goods:.2f}",
                "买家实际支付金额": f"{goods:.2f}" if paid or shipped else "0.00",
                "订单状态": status,
                "买家留言": rng.choice(["", "请尽快发货，谢谢！", "不要放快递柜\n放门卫室"]),
                "收货人姓名": rng.choice(NAMES),
                "收货地址 ": rng.choice(PLACES),
                "联系手机": f"'139{rng.randrange(10**8):08d}",
                "订单创建时间": f"{placed:%Y-%m-%d %H:%M:%S}",
                "订单付款时间 ": f"{placed + timedelta(minutes=3):%Y-%m-%d %H:%M:%S}" if paid or shipped else "",
                "物流单号 ": f"No:SF{rng.randrange(10**12):012d}" if shipped else "",
                "物流公司": "顺丰速运" if shipped else "",
                "订单关闭原因": "买家未付款" if status == "交易关闭" else "",
                "店铺名称": channel.name,
            }
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    order_path, item_path = out_dir / f"ExportOrderList{stamp}.csv", out_dir / f"ExportOrderDetailList{stamp}.csv"
    for path, header, rows in ((order_path, ORDER_HEADER, order_rows), (item_path, ITEM_HEADER, item_rows)):
        lines = [",".join(_cell(name) for name in header) + "\r\n"] + [_line(header, row) for row in rows]
        path.write_bytes("".join(lines).encode("gbk"))
    return [order_path, item_path]


def write_tracking_file(out_dir: Path, *, limit: int = 20) -> Path | None:
    """A tracking file (订单号, 快递公司, 运单号) for up to ``limit`` packed orders, or None if none is packed."""
    numbers = list(Order.objects.filter(status=OrderStatus.PACKED).order_by("id").values_list("number", flat=True)[:limit])
    if not numbers:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"运单_{timezone.localtime():%Y%m%d%H%M}.csv"
    rows = ["订单号,快递公司,运单号"] + [f"{number},顺丰速运,SF{7_000_000_000 + index:010d}" for index, number in enumerate(numbers)]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    return path
