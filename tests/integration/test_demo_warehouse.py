"""The demo as a Warehouse user meets it: approved orders taken through
allocation, wave, pick, pack and ship on the warehouse screens alone."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inventory.models import Wave
from inventory.models import PurchaseRequest, PurchaseStatus, StockLevel
from orders import services
from orders.models import Channel, Order, OrderStatus
from orders.services import LineInput
from tests.factories import ship_to
from tests.flow import log_in


@pytest.mark.django_db
def test_a_warehouse_user_ships_demo_orders_on_the_warehouse_screens_alone(settings):
    settings.DEBUG = True
    call_command("seed_demo", orders=60, stdout=StringIO())
    assert not StockLevel.objects.filter(location="").exists()
    assert PurchaseRequest.objects.filter(status=PurchaseStatus.ORDERED).exists()
    # A buyer's order arrives and the clerk approves it (the demo's own may all be older than today).
    clerk = get_user_model().objects.get(username="clerk")
    level = StockLevel.objects.filter(warehouse__code="sh", on_hand__gt=5).order_by("sku__code").first()
    new = services.order_create(
        actor=clerk,
        channel=Channel.objects.get(code="tmall"),
        lines=[LineInput(title=level.sku.name, quantity=1, unit_price=Decimal("99.00"), sku=level.sku)],
        placed_at=timezone.now(),
        paid_at=timezone.now(),
        **ship_to(),
    )
    services.order_approve(actor=clerk, order_id=new.pk)
    client = Client()
    assert log_in(client, "warehouse", "demo")

    client.post(reverse("warehouse:home"))  # allocate what is approved
    order = Order.objects.get(pk=new.pk)
    assert order.status == OrderStatus.ALLOCATED
    code = order.warehouse.code
    assert order.number in client.get(reverse("warehouse:queue", args=[code])).content.decode()
    client.post(reverse("warehouse:queue", args=[code]), {"order": [order.pk]})
    wave = Wave.objects.get(wave_orders__order=order)
    pick_list = client.get(reverse("warehouse:wave", args=[wave.number])).content.decode()
    assert level.location in pick_list and level.sku.code in pick_list
    checked = {f"line_{pk}": quantity for pk, quantity in order.lines.values_list("pk", "quantity")}
    client.post(reverse("warehouse:pack", args=[order.number]), checked)
    client.post(reverse("warehouse:ship", args=[code]), {"order": order.pk, "carrier": "顺丰速运", "tracking_number": "SF1000000000001"})

    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
