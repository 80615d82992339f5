"""The demo as a Warehouse user meets it: approved orders taken through
allocation, wave, pick, pack and ship on the warehouse screens alone."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fulfilment.models import Wave
from inventory.models import PurchaseRequest, PurchaseStatus, StockLevel
from orders.models import Order, OrderStatus


@pytest.mark.django_db
def test_a_warehouse_user_ships_demo_orders_on_the_warehouse_screens_alone(settings):
    settings.DEBUG = True
    call_command("seed_demo", orders=60, stdout=StringIO())
    assert not StockLevel.objects.filter(location="").exists()
    assert PurchaseRequest.objects.filter(status=PurchaseStatus.ORDERED).exists()
    client = Client()
    assert client.login(username="warehouse", password="demo")

    client.post(reverse("warehouse:home"))  # allocate what is approved
    order = Order.objects.filter(status=OrderStatus.ALLOCATED, merged_into__isnull=True).order_by("id").first()
    assert order is not None
    code = order.warehouse.code
    assert order.number in client.get(reverse("warehouse:queue", args=[code])).content.decode()
    client.post(reverse("warehouse:queue", args=[code]), {"order": [order.pk]})
    wave = Wave.objects.get(wave_orders__order=order)
    assert client.get(reverse("warehouse:wave", args=[wave.number])).status_code == 200
    checked = {f"line_{pk}": quantity for pk, quantity in order.lines.values_list("pk", "quantity")}
    client.post(reverse("warehouse:pack", args=[order.number]), checked)
    client.post(reverse("warehouse:ship", args=[code]), {"order": order.pk, "carrier": "顺丰速运", "tracking_number": "SF1000000000001"})

    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
