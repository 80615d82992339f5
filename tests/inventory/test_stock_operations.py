"""Receipts, adjustments, counts and imports: each a ledger movement with its
kind, reason, reference and actor; refused input changes nothing; and the
admin pages that run them."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from inventory import services
from inventory.models import AdjustmentReason, MovementKind, ReferenceType, StockCount, StockLevel, StockMovement
from core.errors import DomainError
from orders.models import OrderStatus
from orders.services import LineInput
from tests.factories import SKUFactory
from tests.flow import snapshot

from .test_stock_conservation import assert_stock_conserved


def level(warehouse, sku):
    return StockLevel.objects.get(warehouse=warehouse, sku=sku)


def last_movement():
    return StockMovement.objects.order_by("-id").first()


def test_an_adjustment_needs_a_reason_and_is_written_with_it(warehouse_user, warehouse, sku):
    services.stock_adjust(actor=warehouse_user, warehouse=warehouse, sku=sku, quantity=-3, reason=AdjustmentReason.DAMAGED, note="forklift")

    assert level(warehouse, sku).on_hand == 47
    movement = last_movement()
    assert (movement.kind, movement.on_hand_delta, movement.reference_type, movement.actor) == (
        MovementKind.ADJUSTMENT, -3, ReferenceType.ADJUSTMENT, warehouse_user,
    )
    assert "forklift" in movement.reason
    assert_stock_conserved()


@pytest.mark.parametrize(
    "quantity, reason, note",
    [(0, AdjustmentReason.LOST, ""), (-3, "not-a-reason", ""), (-3, AdjustmentReason.OTHER, ""), (-51, AdjustmentReason.LOST, "")],
)
def test_bad_adjustments_are_refused_and_change_nothing(warehouse_user, warehouse, sku, quantity, reason, note):
    before = snapshot()
    with pytest.raises(DomainError):
        services.stock_adjust(actor=warehouse_user, warehouse=warehouse, sku=sku, quantity=quantity, reason=reason, note=note)
    assert snapshot() == before


def test_stock_reserved_for_orders_cannot_be_adjusted_or_counted_away(order_in_status, warehouse_user, warehouse, sku):
    order_in_status(OrderStatus.ALLOCATED, lines=[LineInput(title="Tea", quantity=45, unit_price=Decimal("1.00"), sku=sku)])
    before = snapshot()

    with pytest.raises(DomainError, match="reserved"):
        services.stock_adjust(actor=warehouse_user, warehouse=warehouse, sku=sku, quantity=-6, reason=AdjustmentReason.LOST)
    with pytest.raises(DomainError, match="reserved"):
        services.stock_count_record(actor=warehouse_user, warehouse=warehouse, sku=sku, counted=44)

    assert snapshot() == before


def test_a_count_sets_on_hand_by_a_count_movement_of_the_difference(warehouse_user, warehouse, sku):
    count = services.stock_count_record(actor=warehouse_user, warehouse=warehouse, sku=sku, counted=48, note="cycle count")

    assert (count.expected, count.counted, count.difference) == (50, 48, -2)
    assert level(warehouse, sku).on_hand == 48
    movement = last_movement()
    assert (movement.kind, movement.on_hand_delta, movement.reference, movement.reference_type) == (
        MovementKind.COUNT, -2, str(count), ReferenceType.COUNT,
    )
    # A count that agrees with the books is recorded, without a movement.
    services.stock_count_record(actor=warehouse_user, warehouse=warehouse, sku=sku, counted=48)
    assert StockCount.objects.count() == 2 and StockMovement.objects.filter(kind=MovementKind.COUNT).count() == 1
    assert_stock_conserved()


def test_roles_without_stock_rights_may_not_adjust_or_count(clerk, service_user, warehouse, sku):
    before = snapshot()
    for actor in (clerk, service_user):
        with pytest.raises(DomainError):
            services.stock_adjust(actor=actor, warehouse=warehouse, sku=sku, quantity=1, reason=AdjustmentReason.FOUND)
        with pytest.raises(DomainError):
            services.stock_count_record(actor=actor, warehouse=warehouse, sku=sku, counted=1)
    assert snapshot() == before


def csv_file(text: str, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def test_stock_levels_import_from_a_gbk_csv_with_chinese_headers(warehouse_user, warehouse, second_warehouse, skus):
    new = SKUFactory(code="NEW-1", barcode="6901234567892")
    source = csv_file(
        "仓库,商家编码,条码,库存,安全库存,库位\n"
        "sh,TEA-1,,40,5,a-01-01\n"
        "gz,,6901234567892,12,,C-02-03\n"
        "sh,tea-2,,50,,\n",
        encoding="gb18030",
    )

    result = services.stock_levels_import(actor=warehouse_user, source=source, file_name="盘点.csv")

    assert (result.rows, result.changed, result.unchanged, result.settings_changed) == (3, 2, 1, 2)
    first = level(warehouse, skus[0])
    assert (first.on_hand, first.safety_stock, first.location) == (40, 5, "A-01-01")
    assert (level(second_warehouse, new).on_hand, level(second_warehouse, new).location) == (12, "C-02-03")
    movements = StockMovement.objects.filter(kind=MovementKind.IMPORT)
    assert sorted(movements.values_list("on_hand_delta", flat=True)) == [-10, 12]
    assert set(movements.values_list("reference", "reference_type")) == {("盘点.csv", ReferenceType.IMPORT)}
    assert_stock_conserved()


def test_stock_levels_import_from_xlsx(warehouse_user, warehouse, sku):
    book = Workbook()
    book.active.append(["Warehouse", "SKU", "On hand"])
    book.active.append(["sh", "TEA-1", 7])
    data = io.BytesIO()
    book.save(data)

    services.stock_levels_import(actor=warehouse_user, source=io.BytesIO(data.getvalue()), file_name="count.xlsx")

    assert level(warehouse, sku).on_hand == 7


def test_a_file_with_bad_rows_is_refused_whole_with_every_problem_by_line(warehouse_user, skus):
    before = snapshot()
    source = csv_file(
        "warehouse,sku,on_hand\n"
        "sh,TEA-1,10\n"
        "xx,TEA-2,10\n"
        "sh,NOPE,10\n"
        "sh,TEA-3,-4\n"
        "sh,TEA-1,9\n"
    )

    with pytest.raises(services.StockImportProblems) as refused:
        services.stock_levels_import(actor=warehouse_user, source=source)

    problems = " ".join(refused.value.problems)
    for expected in ("Line 3: unknown warehouse", "Line 4: unknown SKU", "Line 5", "Line 6"):
        assert expected in problems
    assert snapshot() == before


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_admin_pages_receive_adjust_count_and_import_through_the_services(warehouse_user, warehouse, sku):
    client = client_for(warehouse_user)
    changelist = client.get(reverse("admin:inventory_stocklevel_changelist")).content.decode()
    for name in ("receive", "adjust", "count", "import"):
        assert reverse(f"admin:inventory_stocklevel_{name}") in changelist

    client.post(reverse("admin:inventory_stocklevel_receive"), {"warehouse": warehouse.pk, "sku": "TEA-1", "quantity": 5, "reference": "DN-1"})
    client.post(reverse("admin:inventory_stocklevel_adjust"), {"warehouse": warehouse.pk, "sku": "TEA-1", "quantity": -2, "reason": "damaged"})
    client.post(reverse("admin:inventory_stocklevel_count"), {"warehouse": warehouse.pk, "sku": "TEA-1", "counted": 50})
    upload = io.BytesIO(b"warehouse,sku,on_hand\nsh,TEA-1,60\n")
    upload.name = "stock.csv"
    client.post(reverse("admin:inventory_stocklevel_import"), {"file": upload})

    kinds = list(StockMovement.objects.filter(stock_level__sku=sku).order_by("id").values_list("kind", "on_hand_delta"))
    assert kinds[-4:] == [("receipt", 5), ("adjustment", -2), ("count", -3), ("import", 10)]
    assert_stock_conserved()


def test_a_clerk_cannot_open_the_adjust_page(clerk):
    assert client_for(clerk).get(reverse("admin:inventory_stocklevel_adjust")).status_code == 403
