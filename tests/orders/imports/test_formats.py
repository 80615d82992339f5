"""Every platform format imports from its real bytes: encodings, quirks, columns by name."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from finance.models import Payment, PaymentMethod
from orders.models import ImportStatus, Order, OrderEventType, OrderStatus, Platform
from tests.factories import SKUAliasFactory

from . import platform_files as pf


def only_order(**filters) -> Order:
    return Order.objects.get(**filters)


# --- Taobao / Tmall -----------------------------------------------------------------------


@pytest.mark.parametrize("version", [44, 56, 61])
def test_taobao_pair_imports_in_every_column_version(taobao_channel, skus, run_import, version):
    orders = pf.taobao_orders([pf.taobao_order(3100000000000001)], version=version)
    items = pf.taobao_items([pf.taobao_item(3100000000000001)])

    batch = run_import(taobao_channel, ("ExportOrderList.csv", orders), ("ExportOrderDetailList.csv", items))

    assert (batch.status, batch.created_count, batch.rejected_rows) == (ImportStatus.DONE, 1, 0)
    order = only_order(platform_order_id="3100000000000001")  # ="…" undone
    assert order.status == OrderStatus.PAID
    assert order.channel == taobao_channel
    assert (order.ship_province, order.ship_city, order.ship_district) == ("上海", "上海市", "浦东新区")
    assert (order.ship_address, order.ship_postcode) == ("世纪大道100号8楼", "200120")
    assert order.ship_phone == "13800138000"  # leading ' removed
    assert (order.goods_amount, order.shipping_amount, order.discount_amount) == (Decimal("99.00"), Decimal("10.00"), 0)
    assert order.paid_amount == Decimal("109.00")
    (line,) = order.lines.all()
    assert (line.sku, line.quantity, line.unit_price) == (skus[0], 2, Decimal("49.50"))


def test_taobao_newer_export_with_buyer_nickname_column(taobao_channel, skus, run_import):
    orders = pf.taobao_orders([pf.taobao_order(7001, 买家会员名="小明的店")], nickname=True)
    items = pf.taobao_items([pf.taobao_item(7001)])

    run_import(taobao_channel, ("orders.csv", orders), ("items.csv", items))

    assert only_order(platform_order_id="7001").buyer_nick == "小明的店"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_taobao_pair_reads_the_same_in_every_encoding(taobao_channel, skus, run_import, encoding):
    orders = pf.taobao_orders([pf.taobao_order(7002, 买家留言="请周末送货，谢谢！\n放门卫")], encoding=encoding)
    items = pf.taobao_items([pf.taobao_item(7002)], encoding=encoding)

    run_import(taobao_channel, ("orders.csv", orders), ("items.csv", items))

    order = only_order(platform_order_id="7002")
    assert order.buyer_message == "请周末送货，谢谢！\n放门卫"  # quoted multi-line note, full-width punctuation kept
    assert order.ship_name == "王小明"


def test_taobao_files_are_told_apart_by_their_headers_in_any_order(taobao_channel, skus, run_import):
    orders = pf.taobao_orders([pf.taobao_order(7003)])
    items = pf.taobao_items([pf.taobao_item(7003)])

    batch = run_import(taobao_channel, ("b.csv", items), ("a.csv", orders))

    assert batch.created_count == 1


def test_taobao_statuses_with_full_or_half_width_commas_map_to_our_lifecycle(taobao_channel, skus, run_import):
    rows = [
        pf.taobao_order(1, 订单状态="等待买家付款", 买家实际支付金额="0.00", 订单付款时间=""),
        pf.taobao_order(2, 订单状态="买家已付款,等待卖家发货"),  # half-width comma
        pf.taobao_order(3, 订单状态="卖家已发货，等待买家确认", 物流单号="No:SF1234567890", 物流公司="顺丰速运"),
        pf.taobao_order(4, 订单状态="交易成功", 物流单号="YT9876543210", 物流公司="圆通速递", 确认收货时间="2024-05-06 09:00:00"),
        pf.taobao_order(5, 订单状态="交易关闭", 买家实际支付金额="0.00", 订单付款时间="", 订单关闭原因="买家未付款"),
    ]
    items = [pf.taobao_item(n) for n in range(1, 6)]

    run_import(taobao_channel, ("o.csv", pf.taobao_orders(rows, version=56)), ("i.csv", pf.taobao_items(items)))

    statuses = dict(Order.objects.values_list("platform_order_id", "status"))
    assert statuses == {
        "1": OrderStatus.PENDING_PAYMENT,
        "2": OrderStatus.PAID,
        "3": OrderStatus.SHIPPED,
        "4": OrderStatus.COMPLETED,
        "5": OrderStatus.CANCELLED,
    }
    shipped = only_order(platform_order_id="3")
    assert (shipped.carrier, shipped.tracking_number) == ("顺丰速运", "SF1234567890")
    assert only_order(platform_order_id="5").cancel_reason == "买家未付款"
    assert not Payment.objects.filter(order__platform_order_id__in=["1", "5"]).exists()


def test_taobao_unknown_status_rejects_the_order_with_the_words_it_did_not_know(taobao_channel, skus, run_import):
    rows = [pf.taobao_order(1, 订单状态="等待外星人付款"), pf.taobao_order(2)]

    batch = run_import(taobao_channel, ("o.csv", pf.taobao_orders(rows)), ("i.csv", pf.taobao_items([pf.taobao_item(1), pf.taobao_item(2)])))

    assert batch.created_count == 1
    reasons = list(batch.rejections.values_list("reason", flat=True))
    assert any("等待外星人付款" in reason for reason in reasons)


def test_taobao_order_report_alone_cannot_create_orders_and_says_why(taobao_channel, skus, run_import):
    batch = run_import(taobao_channel, ("o.csv", pf.taobao_orders([pf.taobao_order(9)])))

    assert batch.created_count == 0
    (rejection,) = batch.rejections.all()
    assert "宝贝报表" in rejection.reason


def test_taobao_item_rows_without_their_order_row_are_reported(taobao_channel, skus, run_import):
    items = pf.taobao_items([pf.taobao_item(1), pf.taobao_item(404)])

    batch = run_import(taobao_channel, ("o.csv", pf.taobao_orders([pf.taobao_order(1)])), ("i.csv", items))

    assert batch.created_count == 1
    (rejection,) = batch.rejections.all()
    assert (rejection.file_name, rejection.platform_order_id) == ("i.csv", "404")
    assert "订单报表" in rejection.reason


def test_taobao_multi_item_order_lands_with_all_its_lines_and_discount(taobao_channel, skus, run_import):
    order_row = pf.taobao_order(77, 买家应付货款="147.00", 买家应付邮费="0.00", 总金额="140.00", 买家实际支付金额="140.00")
    items = [
        pf.taobao_item(77, 标题="龙井茶", 价格="49.50", 购买数量="2", 商家编码="TEA-1"),
        pf.taobao_item(77, 标题="碧螺春", 价格="48.00", 购买数量="1", 商家编码="", 外部系统编号="TEA-2"),
    ]

    run_import(taobao_channel, ("o.csv", pf.taobao_orders([order_row])), ("i.csv", pf.taobao_items(items)))

    order = only_order(platform_order_id="77")
    assert [(line.sku.code, line.quantity) for line in order.lines.all()] == [("TEA-1", 2), ("TEA-2", 1)]
    assert order.goods_amount == Decimal("147.00")
    assert order.discount_amount == Decimal("7.00")
    assert order.total_amount == Decimal("140.00")


def test_taobao_xlsx_export_reads_like_the_csv(taobao_channel, skus, run_import):
    from openpyxl import Workbook

    def xlsx(header, rows):
        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(name.strip(), None) for name in header])
        import io

        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    order = pf.taobao_order(3100000000000002)
    order["订单编号"] = 3100000000000002  # a number cell, as Excel keeps it
    orders = xlsx(pf.taobao_order_header(61), [order])
    items = xlsx(pf.TAOBAO_ITEMS, [pf.taobao_item("3100000000000002")])

    batch = run_import(taobao_channel, ("ExportOrderList.xlsx", orders), ("ExportOrderDetailList.xlsx", items))

    assert batch.created_count == 1
    assert only_order(platform_order_id="3100000000000002").lines.count() == 1


# --- JD, Pinduoduo, Douyin ------------------------------------------------------------------


def test_jd_export_joins_item_rows_into_one_order_and_splits_the_address(platform_channel, skus, run_import):
    channel = platform_channel(Platform.JD)
    SKUAliasFactory(channel=channel, platform_sku_code="100012345678", sku=skus[0])
    rows = [
        pf.jd_row(5001, 订单状态="等待出库"),
        pf.jd_row(5001, 商品ID="100099999999", 商品名称="碧螺春", 订购数量="1", 京东价="30.00", 货号="TEA-2"),
    ]

    batch = run_import(channel, ("jd.csv", pf.jd_rows(rows)))

    assert batch.created_count == 1
    order = only_order(platform_order_id="5001")
    assert [(line.sku.code, line.platform_sku_code) for line in order.lines.all()] == [
        ("TEA-1", "100012345678"),  # the channel's alias for its SKU id
        ("TEA-2", "TEA-2"),  # the seller's own item number (货号) is our SKU code
    ]
    assert (order.ship_province, order.ship_city, order.ship_district, order.ship_address) == (
        "江苏",
        "南京市",
        "玄武区",
        "中山路1号",
    )
    assert order.goods_amount == Decimal("129.00")
    assert order.discount_amount == Decimal("30.00")  # 129 + 10 shipping − 109 payable
    assert order.status == OrderStatus.PAID


def test_pdd_export_with_tab_terminated_cells_and_address_columns(platform_channel, skus, run_import):
    channel = platform_channel(Platform.PDD)

    batch = run_import(channel, ("pdd.csv", pf.pdd_rows([pf.pdd_row("240503-123456789")])))

    assert batch.created_count == 1
    order = only_order(platform_order_id="240503-123456789")
    assert (order.ship_province, order.ship_city, order.ship_district, order.ship_address) == ("浙江", "杭州市", "西湖区", "文三路90号")
    assert order.ship_phone == "13700137000"
    (line,) = order.lines.all()
    assert (line.sku, line.title, line.quantity, line.unit_price) == (skus[0], "龙井茶礼盒 250g", 2, Decimal("49.50"))
    assert order.discount_amount == Decimal("5.00")
    assert order.paid_amount == Decimal("94.00")


def test_douyin_sub_orders_become_the_lines_of_their_main_order(platform_channel, skus, run_import):
    channel = platform_channel(Platform.DOUYIN)
    rows = [
        pf.douyin_row("6900000001", "6900000001-1"),
        pf.douyin_row("6900000001", "6900000001-2", 商家编码="TEA-3", 商品数量="1", 商品单价="20.00", 商品金额="20.00", 订单应付金额="18.00", 商家优惠="2.00"),
        pf.douyin_row("6900000001", "6900000001-3", 订单状态="已关闭", 商家编码="TEA-2", 取消原因="买家取消"),
    ]

    batch = run_import(channel, ("douyin.csv", pf.douyin_rows(rows)))

    assert batch.created_count == 1
    order = only_order(platform_order_id="6900000001")  # the leading ' stripped
    assert [(line.sku.code, line.quantity) for line in order.lines.all()] == [("TEA-1", 2), ("TEA-3", 1)]  # closed sub-order left out
    assert order.discount_amount == Decimal("2.00")
    assert order.paid_amount == Decimal("117.00")
    assert (order.ship_province, order.ship_city, order.ship_district) == ("广东", "深圳市", "南山区")


# --- Shopify, Amazon ---------------------------------------------------------------------------------


def test_shopify_continuation_rows_are_lines_of_the_order_above(platform_channel, skus, run_import):
    channel = platform_channel(Platform.SHOPIFY)
    first = pf.shopify_line("#1001", Notes="Leave at the door\nThanks!", Subtotal="52.48", Total="60.68")
    second = {"Lineitem quantity": "1", "Lineitem name": "Oolong tea", "Lineitem price": "12.50", "Lineitem sku": "TEA-2"}

    batch = run_import(channel, ("orders_export.csv", pf.shopify_csv([[first, second], [pf.shopify_line("#1002")]])))

    assert batch.created_count == 2
    order = only_order(platform_order_id="#1001")
    assert [(line.sku.code, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("TEA-1", 2, Decimal("19.99")),
        ("TEA-2", 1, Decimal("12.50")),
    ]
    assert order.currency == "USD"
    assert order.placed_at == datetime(2025, 12, 6, 15, 37, 30, tzinfo=UTC)  # -0500 honoured
    assert order.buyer_message == "Leave at the door\nThanks!"
    assert (order.ship_country, order.ship_province, order.ship_phone) == ("US", "IL", "+12175550100")
    assert order.payments.get().method == PaymentMethod.CARD
    assert (order.total_amount, order.exception_reason) == (Decimal("60.68"), "")


def test_shopify_fulfilled_order_is_shipped_outside_our_warehouses(platform_channel, skus, run_import, warehouse):
    channel = platform_channel(Platform.SHOPIFY)
    line = pf.shopify_line("#2001", **{"Fulfillment Status": "fulfilled", "Fulfilled at": "2025-12-07 08:00:00 -0500"})

    run_import(channel, ("orders_export.csv", pf.shopify_csv([[line]])))

    order = only_order(platform_order_id="#2001")
    assert order.status == OrderStatus.SHIPPED
    assert order.events.filter(type=OrderEventType.SHIPPED_OUTSIDE).exists()
    assert not order.stock_movements.exists()


def test_amazon_all_orders_report_is_read_tab_separated(platform_channel, skus, run_import):
    channel = platform_channel(Platform.AMAZON)
    rows = [
        pf.amazon_row("111-0000001-0000001"),
        pf.amazon_row("111-0000002-0000002", **{"order-status": "Shipped", "fulfillment-channel": "Amazon"}),
        pf.amazon_row("111-0000003-0000003", **{"order-status": "Cancelled", "quantity": "0", "item-price": ""}),
    ]

    batch = run_import(channel, ("all_orders.txt", pf.amazon_tsv(rows)))

    assert batch.created_count == 2
    unshipped = only_order(platform_order_id="111-0000001-0000001")
    (line,) = unshipped.lines.all()
    assert (line.quantity, line.unit_price, line.discount_amount, line.line_total) == (
        3,
        Decimal("19.99"),
        Decimal("0.00"),
        Decimal("59.97"),
    )
    assert (unshipped.tax_amount, unshipped.discount_amount, unshipped.shipping_amount) == (
        Decimal("4.80"),
        Decimal("3.00"),
        Decimal("5.99"),
    )
    assert unshipped.status == OrderStatus.PAID
    assert only_order(platform_order_id="111-0000002-0000002").status == OrderStatus.SHIPPED
    (rejection,) = batch.rejections.all()
    assert "nothing to import" in rejection.reason


# --- our template -------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_xlsx", [False, True], ids=["csv", "xlsx"])
def test_our_template_imports_from_csv_and_xlsx(platform_channel, skus, run_import, as_xlsx):
    channel = platform_channel(Platform.B2B)
    rows = [pf.generic_row("WEB-1"), pf.generic_row("WEB-1", sku="TEA-2", title="碧螺春", quantity="1", unit_price="30")]
    data = pf.generic_xlsx(rows) if as_xlsx else pf.generic_csv(rows)

    batch = run_import(channel, ("orders.xlsx" if as_xlsx else "orders.csv", data))

    assert batch.created_count == 1, list(batch.rejections.values_list("reason", flat=True))
    order = only_order(platform_order_id="WEB-1")
    assert order.lines.count() == 2
    assert (order.ship_province, order.ship_city, order.ship_district, order.ship_address) == ("北京", "北京市", "朝阳区", "建国路88号")
    assert order.ship_phone == "13500135000"  # +86 and dashes taken off
    assert order.status == OrderStatus.PAID


def test_our_template_explains_an_unknown_status_word(platform_channel, skus, run_import):
    channel = platform_channel(Platform.B2B)

    batch = run_import(channel, ("orders.csv", pf.generic_csv([pf.generic_row(status="sent")])))

    (rejection,) = batch.rejections.all()
    assert "sent" in rejection.reason and "pending_payment" in rejection.reason
