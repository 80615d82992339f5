"""Which warehouse an order is allocated in when nobody names one: one that
serves the ship-to province, else any that has all of the goods, the lower
priority number first."""

from decimal import Decimal

import pytest

from inventory.models import StockLevel
from orders import services
from core.errors import DomainError
from orders.models import Order, OrderStatus
from orders.services import LineInput
from tests.factories import SKUFactory, WarehouseFactory
from tests.flow import snapshot

S = OrderStatus


@pytest.fixture
def oolong(receive_stock, warehouse, second_warehouse):
    """A SKU with 10 on hand in both the main and the second warehouse."""
    sku = SKUFactory(code="OOLONG", name="Oolong")
    receive_stock(warehouse, sku, 10)
    receive_stock(second_warehouse, sku, 10)
    return sku


def allocate(order_in_status, warehouse_user, sku, *, quantity=2, province="上海", **ship_to):
    order = order_in_status(
        S.APPROVED,
        lines=[LineInput(title=sku.name, quantity=quantity, unit_price=Decimal("12.50"), sku=sku)],
        ship_province=province,
        **ship_to,
    )
    services.order_allocate(actor=warehouse_user, order_id=order.pk)
    return Order.objects.select_related("warehouse").get(pk=order.pk)


def test_allocation_picks_the_warehouse_serving_the_ship_to_province(order_in_status, warehouse_user, oolong):
    # The second warehouse has the higher priority number, but it serves Guangdong.
    order = allocate(order_in_status, warehouse_user, oolong, province="广东")

    assert (order.status, order.warehouse.code) == (S.ALLOCATED, "gz")
    assert dict(StockLevel.objects.filter(sku=oolong).values_list("warehouse__code", "reserved")) == {"sh": 0, "gz": 2}


def test_allocation_serves_a_country_listed_as_a_region(order_in_status, warehouse_user, oolong, receive_stock):
    receive_stock(WarehouseFactory(code="la", regions=["US"], priority=50), oolong, 5)

    order = allocate(order_in_status, warehouse_user, oolong, province="CA", ship_country="US", ship_city="Los Angeles")

    assert order.warehouse.code == "la"


def test_allocation_falls_back_to_a_warehouse_that_has_the_stock(
    order_in_status, warehouse_user, oolong, receive_stock, warehouse
):
    # The warehouse serving Guangdong has 10 of the 12 needed; the main one gets to 12.
    receive_stock(warehouse, oolong, 2)

    order = allocate(order_in_status, warehouse_user, oolong, quantity=12, province="广东")

    assert order.warehouse.code == "sh"
    assert dict(StockLevel.objects.filter(sku=oolong).values_list("warehouse__code", "reserved")) == {"sh": 12, "gz": 0}


@pytest.mark.parametrize("province", ["北京", "上海"], ids=["neither-serves-the-province", "both-serve-the-province"])
def test_allocation_prefers_the_lower_priority_number_when_warehouses_tie(
    order_in_status, warehouse_user, receive_stock, province
):
    # The fixture warehouses hold no PUER; two others both serve Shanghai, neither Beijing.
    sku = SKUFactory(code="PUER")
    receive_stock(WarehouseFactory(code="hz", regions=["上海"], priority=30), sku, 40)  # more stock, higher number
    receive_stock(WarehouseFactory(code="sz", regions=["上海"], priority=20), sku, 5)

    order = allocate(order_in_status, warehouse_user, sku, province=province)

    assert order.warehouse.code == "sz"


def test_allocation_never_picks_an_inactive_warehouse(order_in_status, warehouse_user, oolong, second_warehouse):
    second_warehouse.is_active = False
    second_warehouse.save()

    order = allocate(order_in_status, warehouse_user, oolong, province="广东")

    assert order.warehouse.code == "sh"


def test_order_is_allocated_whole_from_one_warehouse_or_not_at_all(
    order_in_status, warehouse_user, receive_stock, warehouse, second_warehouse
):
    # Each warehouse has one of the two SKUs: no single warehouse can ship the order.
    black, white = SKUFactory(code="BLACK"), SKUFactory(code="WHITE")
    receive_stock(warehouse, black, 5)
    receive_stock(second_warehouse, white, 5)
    order = order_in_status(
        S.APPROVED,
        lines=[
            LineInput(title="Black tea", quantity=1, unit_price=Decimal("8.00"), sku=black),
            LineInput(title="White tea", quantity=1, unit_price=Decimal("8.00"), sku=white),
        ],
    )
    before = snapshot(order.pk)

    with pytest.raises(DomainError):
        services.order_allocate(actor=warehouse_user, order_id=order.pk)

    assert snapshot(order.pk) == before


def test_allocation_in_a_named_warehouse_overrides_the_choice(order_in_status, warehouse_user, oolong, second_warehouse):
    order = order_in_status(
        S.APPROVED, lines=[LineInput(title="Oolong", quantity=3, unit_price=Decimal("12.50"), sku=oolong)]
    )

    services.order_allocate(actor=warehouse_user, order_id=order.pk, warehouse_id=second_warehouse.pk)

    assert Order.objects.get(pk=order.pk).warehouse == second_warehouse
    assert StockLevel.objects.get(sku=oolong, warehouse=second_warehouse).reserved == 3
