"""One phone normaliser: what the importers store is what the order search looks for."""

import pytest
from django.urls import reverse

from orders.models import Order, Platform
from tests.orders.imports import platform_files as pf


@pytest.mark.parametrize("typed", ["0086 139 0013 9000", "+86 139-0013-9000", "'13900139000", "８６１３９００１３９０００"])
def test_the_order_search_finds_an_imported_phone_however_it_is_typed(platform_channel, skus, run_import, clerk, client, typed):
    channel = platform_channel(Platform.JD)
    run_import(channel, ("jd.csv", pf.jd_rows([pf.jd_row(1, 联系电话="0086-139-0013-9000")])))
    order = Order.objects.get()
    assert order.ship_phone == "13900139000"

    client.force_login(clerk)
    html = client.get(reverse("admin:orders_order_changelist"), {"q": typed}).content.decode()

    assert order.number in html


def test_the_order_search_finds_a_foreign_phone_with_its_country_code(platform_channel, skus, run_import, clerk, client):
    channel = platform_channel(Platform.SHOPIFY)
    run_import(channel, ("orders_export.csv", pf.shopify_csv([[pf.shopify_line()]])))
    order = Order.objects.get()

    client.force_login(clerk)
    html = client.get(reverse("admin:orders_order_changelist"), {"q": "+1 (217) 555-0100"}).content.decode()

    assert order.number in html
