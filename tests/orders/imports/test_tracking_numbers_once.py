"""A tracking number is on one parcel per carrier (issue 10: the Ship screen
checked without a lock, the order page's Ship button and the tracking import
not at all, so two parcels could leave with one number)."""

import pytest

from core.errors import DomainError
from orders import services
from orders.models import ImportKind, Order, OrderStatus

from . import platform_files as pf

pytestmark = pytest.mark.django_db


def test_the_order_pages_ship_refuses_a_number_another_parcel_left_with(order_in_status, warehouse_user):
    first, second = order_in_status(OrderStatus.PACKED), order_in_status(OrderStatus.PACKED)
    services.order_ship(actor=warehouse_user, order_id=first.pk, carrier="SF Express", tracking_number="SF1001")

    with pytest.raises(DomainError, match=f"already on order {first.number}"):
        services.order_ship(actor=warehouse_user, order_id=second.pk, carrier="sf express", tracking_number="SF1001")

    assert Order.objects.get(pk=second.pk).status == OrderStatus.PACKED


def test_another_carrier_may_use_the_same_number(order_in_status, warehouse_user):
    first, second = order_in_status(OrderStatus.PACKED), order_in_status(OrderStatus.PACKED)
    services.order_ship(actor=warehouse_user, order_id=first.pk, carrier="SF Express", tracking_number="1001")

    services.order_ship(actor=warehouse_user, order_id=second.pk, carrier="ZTO", tracking_number="1001")

    assert Order.objects.get(pk=second.pk).status == OrderStatus.SHIPPED


def test_a_tracking_file_row_with_a_used_number_is_rejected_naming_the_order(order_in_status, run_import, warehouse_user):
    shipped, packed = order_in_status(OrderStatus.PACKED), order_in_status(OrderStatus.PACKED)
    services.order_ship(actor=warehouse_user, order_id=shipped.pk, carrier="顺丰速运", tracking_number="SF77")

    batch = run_import(None, ("t.csv", pf.tracking_csv([(packed.number, "顺丰速运", "SF77")])), kind=ImportKind.TRACKING, actor=warehouse_user)

    assert batch.updated_count == 0
    assert shipped.number in batch.rejections.get().reason
    assert Order.objects.get(pk=packed.pk).status == OrderStatus.PACKED


def test_correcting_a_tracking_number_to_one_in_use_is_refused(order_in_status, warehouse_user):
    first, second = order_in_status(OrderStatus.PACKED), order_in_status(OrderStatus.PACKED)
    services.order_ship(actor=warehouse_user, order_id=first.pk, carrier="SF Express", tracking_number="SF1")
    services.order_ship(actor=warehouse_user, order_id=second.pk, carrier="SF Express", tracking_number="SF2")

    with pytest.raises(DomainError, match=f"already on order {first.number}"):
        services.order_update_tracking(actor=warehouse_user, order_id=second.pk, carrier="SF Express", tracking_number="SF1")

    services.order_update_tracking(actor=warehouse_user, order_id=second.pk, carrier="SF Express", tracking_number="SF3")
    third = order_in_status(OrderStatus.PACKED)
    services.order_ship(actor=warehouse_user, order_id=third.pk, carrier="SF Express", tracking_number="SF2")
    assert Order.objects.get(pk=third.pk).tracking_number == "SF2"
