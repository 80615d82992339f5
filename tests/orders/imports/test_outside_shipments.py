"""Recording an order shipped outside our warehouses: by hand, as the imports do."""

import pytest
from django.urls import reverse

from orders import services
from core.errors import DomainError, NotPermitted
from orders.models import Order, OrderEventType, OrderStatus, UnmappedLine
from tests.flow import snapshot


def test_a_clerk_records_a_supplier_shipment_and_our_stock_stays_put(order_in_status, clerk, client):
    order = order_in_status(OrderStatus.APPROVED)
    stock = snapshot()["stock"]
    client.force_login(clerk)

    client.post(
        reverse("admin:orders_order_action", args=[order.pk, "ship_outside"]),
        {"apply": "1", "carrier": "供应商直发", "tracking_number": "ZT1"},
    )

    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, "ZT1")
    assert order.events.get(type=OrderEventType.SHIPPED_OUTSIDE).actor == clerk
    assert snapshot()["stock"] == stock


def test_an_order_with_reserved_stock_cannot_be_recorded_as_shipped_elsewhere(order_in_status, clerk):
    order = order_in_status(OrderStatus.ALLOCATED)

    with pytest.raises(DomainError, match="not possible while the order is Allocated"):
        services.order_ship_outside(actor=clerk, order_id=order.pk)


@pytest.mark.parametrize("role", ["Warehouse", "Customer service", "Finance"])
def test_other_roles_may_not_record_outside_shipments(order_in_status, make_user, role):
    order = order_in_status(OrderStatus.PAID)
    before = snapshot(order.pk)

    with pytest.raises(NotPermitted):
        services.order_ship_outside(actor=make_user(role), order_id=order.pk)
    assert snapshot(order.pk) == before


LIST_OF_WAITING_LINES = {"Clerk": 200, "Warehouse": 403, "Customer service": 403, "Finance": 403, "Supervisor": 200}


@pytest.mark.parametrize(("role", "status"), LIST_OF_WAITING_LINES.items())
def test_the_list_of_lines_waiting_for_a_sku_is_the_clerks(order_in_status, make_user, client, role, status):
    from orders.services import LineInput

    order_in_status(OrderStatus.PENDING_PAYMENT, lines=[LineInput(title="新品", quantity=1, platform_sku_code="NEW-1")])
    assert UnmappedLine.objects.waiting().count() == 1
    client.force_login(make_user(role))

    response = client.get(reverse("admin:orders_unmappedline_changelist"))

    assert response.status_code == status
    if status == 200:
        assert "NEW-1" in response.text and "map_to_sku" in response.text
