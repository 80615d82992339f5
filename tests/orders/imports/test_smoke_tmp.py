from orders.models import Order
from tests.orders.imports import platform_files as pf

def test_smoke(taobao_channel, skus, run_import):
    orders = pf.taobao_orders([pf.taobao_order(1001), pf.taobao_order(1002, 订单状态="等待买家付款")])
    items = pf.taobao_items([pf.taobao_item(1001), pf.taobao_item(1002, 商家编码="NOPE")])
    batch = run_import(taobao_channel, ("ExportOrderList.csv", orders), ("ExportOrderDetailList.csv", items))
    print(batch.status, batch.error, batch.created_count, batch.rejected_rows, list(batch.rejections.values_list("reason", flat=True)))
    for o in Order.objects.all():
        print(o.number, o.status, o.ship_province, o.ship_city, o.ship_district, o.ship_address, o.ship_postcode, o.ship_phone, o.exception_reason, o.goods_amount, o.discount_amount, o.paid_amount, [(l.sku_id, l.platform_sku_code) for l in o.lines.all()])
        print([ (e.type, e.parameters) for e in o.events.all()])
    batch2 = run_import(taobao_channel, ("ExportOrderList.csv", orders), ("ExportOrderDetailList.csv", items))
    print(batch2.status, batch2.error, batch2.created_count, batch2.unchanged_count, batch2.preview.get("same_file_as"))
    assert 0
