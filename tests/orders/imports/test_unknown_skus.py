"""Platform SKU codes we do not know: the order waits on hold, listed for the
clerk, and is released once the code is mapped."""

import pytest
from django.urls import reverse

from inventory.models import SKUAlias
from orders import services
from core.errors import NotPermitted
from orders.models import ExceptionReason, Order, OrderEventType, OrderStatus, UnmappedLine

from . import platform_files as pf


def import_with_unknown_code(run_import, channel, order_id=1, code="TB-NEW-9", **order_cells):
    orders = pf.taobao_orders([pf.taobao_order(order_id, **order_cells)])
    items = pf.taobao_items([pf.taobao_item(order_id, 商家编码=code), pf.taobao_item(order_id, 标题="碧螺春", 商家编码="TEA-2")])
    batch = run_import(channel, ("o.csv", orders), ("i.csv", items))
    return batch, Order.objects.get(platform_order_id=str(order_id))


def test_a_paid_order_with_an_unknown_sku_imports_on_hold_with_the_exception(taobao_channel, skus, run_import):
    batch, order = import_with_unknown_code(run_import, taobao_channel)

    assert batch.preview["unknown_sku_orders"] == 1
    assert order.status == OrderStatus.ON_HOLD
    assert (order.exception_reason, order.exception_note) == (ExceptionReason.UNKNOWN_SKU, "TB-NEW-9")
    assert [(line.sku_id is None, line.platform_sku_code) for line in order.lines.all()] == [(True, "TB-NEW-9"), (False, "TEA-2")]
    assert list(UnmappedLine.objects.waiting().values_list("platform_sku_code", flat=True)) == ["TB-NEW-9"]


def test_creating_the_alias_maps_the_lines_resolves_and_releases_on_the_timeline(taobao_channel, skus, run_import, clerk):
    _batch, order = import_with_unknown_code(run_import, taobao_channel)

    alias, touched = services.sku_alias_create(actor=clerk, channel=taobao_channel, platform_sku_code="TB-NEW-9", sku=skus[2])

    assert (alias.sku, touched) == (skus[2], 1)
    order = Order.objects.get(pk=order.pk)
    assert order.status == OrderStatus.PAID
    assert order.exception_reason == ""
    assert order.lines.filter(sku__isnull=True).count() == 0
    assert [event.type for event in order.events.order_by("id")][-3:] == [
        OrderEventType.LINES_MAPPED,
        OrderEventType.EXCEPTION_RESOLVED,
        OrderEventType.RELEASED,
    ]
    assert all(event.actor == clerk for event in order.events.order_by("id")[3:])
    assert not UnmappedLine.objects.waiting().exists()


def test_an_order_waiting_for_two_codes_stays_on_hold_until_both_are_mapped(taobao_channel, skus, run_import, clerk):
    orders = pf.taobao_orders([pf.taobao_order(1)])
    items = pf.taobao_items([pf.taobao_item(1, 商家编码="A-1"), pf.taobao_item(1, 标题="x", 商家编码="B-2")])
    run_import(taobao_channel, ("o.csv", orders), ("i.csv", items))

    services.sku_alias_create(actor=clerk, channel=taobao_channel, platform_sku_code="A-1", sku=skus[0])
    order = Order.objects.get(platform_order_id="1")
    assert (order.status, order.exception_note) == (OrderStatus.ON_HOLD, "B-2")

    services.sku_alias_create(actor=clerk, channel=taobao_channel, platform_sku_code="B-2", sku=skus[1])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_an_unpaid_order_gets_the_exception_and_is_held_when_a_later_file_says_paid(taobao_channel, skus, run_import):
    _batch, order = import_with_unknown_code(run_import, taobao_channel, 订单状态="等待买家付款", 买家实际支付金额="0")
    assert (order.status, order.exception_reason) == (OrderStatus.PENDING_PAYMENT, ExceptionReason.UNKNOWN_SKU)

    run_import(taobao_channel, ("later.csv", pf.taobao_orders([pf.taobao_order(1)])))

    assert Order.objects.get(pk=order.pk).status == OrderStatus.ON_HOLD


def test_a_held_order_the_platform_shipped_anyway_is_recorded_shipped(taobao_channel, skus, run_import):
    _batch, order = import_with_unknown_code(run_import, taobao_channel)

    run_import(taobao_channel, ("later.csv", pf.taobao_orders([pf.taobao_order(1, 订单状态="卖家已发货，等待买家确认", 物流单号="SF9")])))

    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, "SF9")


def test_mapping_needs_the_alias_permission(taobao_channel, skus, warehouse_user):
    with pytest.raises(NotPermitted):
        services.sku_alias_create(actor=warehouse_user, channel=taobao_channel, platform_sku_code="X", sku=skus[0])
    assert not SKUAlias.objects.exists()


def test_the_clerk_maps_waiting_codes_from_the_list(taobao_channel, skus, run_import, clerk, client):
    _batch, order = import_with_unknown_code(run_import, taobao_channel)
    client.force_login(clerk)
    changelist = reverse("admin:orders_unmappedline_changelist")
    line = UnmappedLine.objects.waiting().get()

    page = client.get(changelist)
    assert "TB-NEW-9" in page.text

    client.post(changelist, {"action": "map_to_sku", "_selected_action": [line.pk], "apply": "1", "sku": skus[2].pk})

    assert SKUAlias.objects.get(channel=taobao_channel, platform_sku_code="TB-NEW-9").sku == skus[2]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_an_alias_added_in_the_sku_admin_releases_the_waiting_orders(taobao_channel, skus, run_import, clerk, client):
    _batch, order = import_with_unknown_code(run_import, taobao_channel)
    client.force_login(clerk)

    response = client.post(
        reverse("admin:inventory_skualias_add"),
        {"channel": taobao_channel.pk, "platform_sku_code": "TB-NEW-9", "sku": skus[2].pk},
    )

    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_the_orders_list_filters_orders_waiting_for_a_sku(taobao_channel, skus, run_import, clerk, client):
    import_with_unknown_code(run_import, taobao_channel)
    client.force_login(clerk)

    page = client.get(reverse("admin:orders_order_changelist"), {"exception": ExceptionReason.UNKNOWN_SKU})

    assert Order.objects.get().number in page.text


def test_an_alias_added_on_the_sku_page_releases_the_waiting_orders(taobao_channel, skus, run_import, superuser, client):
    _batch, order = import_with_unknown_code(run_import, taobao_channel)
    sku = skus[2]
    client.force_login(superuser)

    response = client.post(
        reverse("admin:inventory_sku_change", args=[sku.pk]),
        {
            "code": sku.code,
            "name": sku.name,
            "barcode": sku.barcode,
            "is_active": "on",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-channel": taobao_channel.pk,
            "aliases-0-platform_sku_code": "TB-NEW-9",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert SKUAlias.objects.get(platform_sku_code="TB-NEW-9").sku == sku
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
