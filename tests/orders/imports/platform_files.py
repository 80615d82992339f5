"""Platform export files as the platforms write them, byte for byte (headers
from ../shared/FORMATS.md): GBK for the Chinese platforms, ``="…"`` ids, ``'``
phones, trailing spaces in Taobao headers, tab-terminated PDD cells,
Shopify continuation rows, Amazon's tab-separated report.

Each writer takes plain dicts with the cells a test cares about; every
other column is written empty, as the platforms do for unused columns.
"""

import io

from openpyxl import Workbook

TAOBAO_44 = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ",
    "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "分阶段订单信息", "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名", "修改后的sku",
    "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易",
]  # fmt: skip
TAOBAO_56_EXTRA = [
    "新零售交易类型", "新零售导购门店名称", "新零售导购门店id", "新零售发货门店名称", "新零售发货门店id", "退款金额",
    "预约门店", "确认收货时间", "打款商家金额", "含应开票给个人的个人红包",
]  # fmt: skip
TAOBAO_61_INSERTED = ["支付单号", "支付详情"]
TAOBAO_61_EXTRA = ["是否信用购", "体验期结束时间", "前N有礼", "配送类型", "主订单编号"]
TAOBAO_ITEMS = ["订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注", "订单状态", "商家编码"]

JD = [
    "订单号", "商品ID", "商品名称", "订购数量", "支付方式", "下单时间", "京东价", "订单金额", "结算金额", "余额支付",
    "应付金额", "订单状态", "订单类型", "下单帐号", "客户姓名", "客户地址", "联系电话", "订单备注", "发票类型", "发票抬头",
    "发票内容", "商家备注", "商家备注等级（等级1-5为由高到低）", "运费金额", "付款确认时间", "增值税发票", "货号",
    "订单完成时间", "订单来源", "订单渠道", "快递公司", "运单号",
]  # fmt: skip
PDD = [
    "商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "邮费(元)", "上门安装费(元)",
    "送货入户费(元)", "送货入户并安装费(元)", "用户实付金额(元)", "商品数量(件)", "身份证姓名", "身份证号码", "收货人",
    "手机", "是否异常", "省", "市", "区", "街道", "支付时间", "拼单成功时间", "订单确认时间", "承诺发货时间", "发货时间",
    "确认收货时间", "商品id", "商品规格", "用户购买手机号", "样式ID", "商家编码-SKU维度", "商家编码-商品维度", "快递单号",
    "快递公司", "海淘清关订单号", "支付ID", "支付方式", "是否抽奖或0元试用", "是否顺丰加价", "商家备注", "售后状态", "买家留言",
]  # fmt: skip
DOUYIN = [
    "主订单编号", "子订单编号", "支付方式", "选购商品", "商品ID", "商家编码", "订单提交时间", "支付完成时间", "订单完成时间",
    "旗帜颜色", "商家备注", "商家优惠", "订单状态", "售后状态", "发货时间", "快递信息", "达人ID", "达人昵称", "流量来源",
    "广告渠道", "流量类型", "流量体裁", "流量渠道", "取消原因", "平台优惠", "达人优惠", "商品金额", "订单应付金额", "运费",
    "优惠总金额", "平台实际承担优惠金额", "商家实际承担优惠金额", "达人实际承担优惠金额", "商品数量", "商品规格", "商品单价",
    "订单类型", "快递单号", "快递公司", "收件人", "收件地址", "收件人手机号",
]  # fmt: skip
SHOPIFY = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,"
    "Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
    "Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,"
    "Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,"
    "Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,"
    "Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,"
    "Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,"
    "Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
).split(",")
SHOPIFY_CONTINUATION = {"Name", "Email", "Created at", "Vendor", "Lineitem discount", "Phone"}
AMAZON = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status", "fulfillment-channel",
    "sales-channel", "order-channel", "url", "ship-service-level", "product-name", "sku", "asin", "item-status",
    "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price",
    "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "promotion-ids", "is-business-order", "purchase-order-number",
    "price-designation", "is-sold-by-ab",
]  # fmt: skip


def _quote(cell: str, delimiter: str = ",") -> str:
    if any(char in cell for char in (delimiter, '"', "\n", "\r")) or cell != cell.strip(" "):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_text(header: list[str], rows: list[dict], *, raw=(), delimiter=",", newline="\r\n") -> str:
    """CSV as the platforms write it; cells of the columns in ``raw`` go out as they are (``="…"``)."""
    lines = [delimiter.join(_quote(name, delimiter) for name in header)]
    for row in rows:
        cells = []
        for name in header:
            value = str(row.get(name, ""))
            cells.append(value if name in raw else _quote(value, delimiter))
        lines.append(delimiter.join(cells))
    return newline.join(lines) + newline


def text_formula(value) -> str:
    return f'="{value}"'


def taobao_order_header(version: int = 44, *, nickname: bool = False) -> list[str]:
    header = list(TAOBAO_44)
    if version >= 56:
        header += TAOBAO_56_EXTRA
    if version == 61:
        at = header.index("买家支付宝账号") + 1
        header[at:at] = TAOBAO_61_INSERTED
        header += TAOBAO_61_EXTRA
    if nickname:
        header[header.index("买家会员名")] = "买家会员昵称"
    return header


def taobao_orders(orders: list[dict], *, version: int = 44, encoding: str = "gbk", nickname: bool = False) -> bytes:
    """The order report (订单报表). Keys are the report's column names without trailing spaces."""
    header = taobao_order_header(version, nickname=nickname)
    by_header = {name.strip(): name for name in header}
    rows = []
    for order in orders:
        row = {by_header[key]: value for key, value in order.items() if key in by_header}
        row[by_header["订单编号"]] = text_formula(order["订单编号"])
        for phone in ("联系电话", "联系手机"):
            if order.get(phone):
                row[by_header[phone]] = "'" + order[phone]
        if nickname and "买家会员名" in order:
            row["买家会员昵称"] = order["买家会员名"]
        rows.append(row)
    return csv_text(header, rows, raw={"订单编号"}).encode(encoding)


def taobao_items(items: list[dict], *, encoding: str = "gbk") -> bytes:
    rows = [{**item, "订单编号": text_formula(item["订单编号"])} for item in items]
    return csv_text(TAOBAO_ITEMS, rows, raw={"订单编号"}).encode(encoding)


def taobao_order(order_id, **cells) -> dict:
    """An order report row with sensible defaults: paid, 2 × 49.50 + 10 postage, to Shanghai."""
    row = {
        "订单编号": str(order_id),
        "买家会员名": "tb_buyer",
        "买家应付货款": "99.00",
        "买家应付邮费": "10.00",
        "总金额": "109.00",
        "买家实际支付金额": "109.00",
        "订单状态": "买家已付款，等待卖家发货",
        "收货人姓名": "王小明",
        "收货地址": "上海 上海市 浦东新区 世纪大道100号8楼(200120)",
        "联系手机": "13800138000",
        "订单创建时间": "2024-05-01 10:00:00",
        "订单付款时间": "2024-05-01 10:05:00",
        "宝贝标题": "龙井茶礼盒",
        "宝贝种类": "1",
        "宝贝总数量": "2",
    }
    row.update(cells)
    return row


def taobao_item(order_id, **cells) -> dict:
    row = {"订单编号": str(order_id), "标题": "龙井茶礼盒", "价格": "49.50", "购买数量": "2", "商家编码": "TEA-1",
           "订单状态": "买家已付款，等待卖家发货"}  # fmt: skip
    row.update(cells)
    return row


def jd_rows(rows: list[dict], *, encoding: str = "gbk") -> bytes:
    return csv_text(JD, [{**row, "订单号": row["订单号"]} for row in rows]).encode(encoding)


def jd_row(order_id, **cells) -> dict:
    row = {
        "订单号": str(order_id), "商品ID": "100012345678", "商品名称": "龙井茶礼盒", "订购数量": "2",
        "支付方式": "在线支付", "下单时间": "2024-05-02 09:00:00", "京东价": "49.50", "订单金额": "109.00",
        "应付金额": "109.00", "订单状态": "等待出库", "下单帐号": "jd_buyer", "客户姓名": "李四",
        "客户地址": "江苏省南京市玄武区中山路1号", "联系电话": "13900139000", "运费金额": "10.00",
        "付款确认时间": "2024-05-02 09:01:00", "货号": "TEA-1",
    }  # fmt: skip
    row.update(cells)
    return row


def pdd_rows(rows: list[dict], *, encoding: str = "gbk") -> bytes:
    # PDD cells end with a tab (\t) — the Java parsers strip it.
    tabbed = [{key: f"{value}\t" if value else "" for key, value in row.items()} for row in rows]
    return csv_text(PDD, tabbed).encode(encoding)


def pdd_row(order_id, **cells) -> dict:
    row = {
        "商品": "龙井茶礼盒", "订单号": str(order_id), "订单状态": "待发货", "商品总价(元)": "99.00",
        "店铺优惠折扣(元)": "5.00", "平台优惠折扣(元)": "0.00", "邮费(元)": "0.00", "用户实付金额(元)": "94.00",
        "商品数量(件)": "2", "收货人": "赵六", "手机": "13700137000", "省": "浙江省", "市": "杭州市", "区": "西湖区",
        "街道": "文三路90号", "支付时间": "2024-05-03 12:00:00", "拼单成功时间": "2024-05-03 12:00:05",
        "商品规格": "250g", "商家编码-SKU维度": "TEA-1", "样式ID": "1234567890",
    }  # fmt: skip
    row.update(cells)
    return row


def douyin_rows(rows: list[dict], *, encoding: str = "gbk") -> bytes:
    prefixed = [{**row, "主订单编号": "'" + row["主订单编号"], "子订单编号": "\t" + row["子订单编号"]} for row in rows]
    return csv_text(DOUYIN, prefixed).encode(encoding)


def douyin_row(order_id, sub_id, **cells) -> dict:
    row = {
        "主订单编号": str(order_id), "子订单编号": str(sub_id), "支付方式": "抖音支付", "选购商品": "龙井茶礼盒",
        "商品ID": "3600000000001", "商家编码": "TEA-1", "订单提交时间": "2024-05-04 20:00:00",
        "支付完成时间": "2024-05-04 20:01:00", "订单状态": "待发货", "商家优惠": "0", "平台优惠": "0",
        "达人优惠": "0", "商品金额": "99.00", "订单应付金额": "99.00", "运费": "0", "商品数量": "2",
        "商品规格": "250g", "商品单价": "49.50", "收件人": "孙七", "收件地址": "广东省 深圳市 南山区 科技园路1号",
        "收件人手机号": "13600136000",
    }  # fmt: skip
    row.update(cells)
    return row


def shopify_csv(orders: list[list[dict]]) -> bytes:
    """Each order is a list of line dicts; the first carries the order's columns, the others are continuation rows."""
    rows = []
    for lines in orders:
        first = lines[0]
        for number, line in enumerate(lines):
            if number == 0:
                rows.append(line)
            else:
                rows.append({**{k: first[k] for k in SHOPIFY_CONTINUATION if k in first}, **line})
    return csv_text(SHOPIFY, rows, newline="\n").encode("utf-8")


def shopify_line(name="#1001", **cells) -> dict:
    row = {
        "Name": name, "Email": "ann@example.com", "Financial Status": "paid", "Paid at": "2025-12-06 10:37:33 -0500",
        "Fulfillment Status": "unfulfilled", "Currency": "USD", "Subtotal": "39.98", "Shipping": "5.00",
        "Taxes": "3.20", "Total": "48.18", "Discount Amount": "0.00", "Created at": "2025-12-06 10:37:30 -0500",
        "Lineitem quantity": "2", "Lineitem name": "Dragon Well tea, 250 g", "Lineitem price": "19.99",
        "Lineitem sku": "TEA-1", "Shipping Name": "Ann Lee", "Shipping Address1": "1 Main St",
        "Shipping City": "Springfield", "Shipping Zip": "62701", "Shipping Province": "IL", "Shipping Country": "US",
        "Shipping Phone": "+1 217-555-0100", "Payment Method": "Shopify Payments", "Lineitem discount": "0.00",
    }  # fmt: skip
    row.update(cells)
    return row


def amazon_tsv(rows: list[dict]) -> bytes:
    return csv_text(AMAZON, rows, delimiter="\t", newline="\n").encode("utf-8")


def amazon_row(order_id="111-2223334-5556667", **cells) -> dict:
    row = {
        "amazon-order-id": order_id, "purchase-date": "2024-03-01T08:00:00+00:00",
        "last-updated-date": "2024-03-01T09:00:00+00:00", "order-status": "Unshipped", "fulfillment-channel": "Merchant",
        "sales-channel": "Amazon.com", "product-name": "Dragon Well tea 250g", "sku": "TEA-1", "asin": "B000TEA001",
        "item-status": "Unshipped", "quantity": "3", "currency": "USD", "item-price": "59.97", "item-tax": "4.80",
        "shipping-price": "5.99", "shipping-tax": "0.00", "item-promotion-discount": "-3.00",
        "ship-city": "SEATTLE", "ship-state": "WA", "ship-postal-code": "98101", "ship-country": "US",
    }  # fmt: skip
    row.update(cells)
    return row


def generic_csv(rows: list[dict], *, encoding="utf-8-sig") -> bytes:
    from orders.importers.generic import TEMPLATE_COLUMNS

    return csv_text(TEMPLATE_COLUMNS, rows).encode(encoding)


def generic_xlsx(rows: list[dict]) -> bytes:
    from orders.importers.generic import TEMPLATE_COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append(TEMPLATE_COLUMNS)
    for row in rows:
        sheet.append([row.get(name) for name in TEMPLATE_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def generic_row(order_id="WEB-1001", **cells) -> dict:
    row = {
        "order_id": order_id, "placed_at": "2024-06-01 09:30:00", "status": "paid", "paid_at": "2024-06-01 09:31:00",
        "buyer": "web-buyer", "recipient": "周八", "phone": "+86 135-0013-5000", "country": "CN",
        "address": "北京市朝阳区建国路88号", "sku": "TEA-1", "title": "龙井茶礼盒", "quantity": "2", "unit_price": "49.50",
        "shipping_amount": "10.00",
    }  # fmt: skip
    row.update(cells)
    return row


def tracking_csv(rows: list[tuple[str, str, str]], *, header=("订单号", "快递公司", "运单号"), encoding="gbk") -> bytes:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
