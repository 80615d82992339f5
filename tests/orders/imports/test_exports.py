"""Order and stock files out: the role's field scope, formulas neutralised, BOM, XLSX."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from orders import exports
from core.errors import NotPermitted
from orders.models import Order, OrderStatus
from tests.factories import SKUAliasFactory, SKUFactory

ROLES = ("Clerk", "Warehouse", "Customer service", "Finance", "Supervisor")
SEES_PHONE = {"Clerk", "Customer service", "Supervisor"}
SEES_MONEY = {"Clerk", "Customer service", "Finance", "Supervisor"}


def read_csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def buyer_order(order_in_status):
    """A shipped order whose buyer typed formulas into every field they control."""
    return order_in_status(
        OrderStatus.SHIPPED,
        ship_name="=HYPERLINK(\"http://evil\",\"x\")",
        ship_phone="+8613800138000",
        ship_address="@SUM(1+1)",
        buyer_nick="-2+3",
        buyer_message="\t=cmd|' /C calc'!A0",
        seller_memo="\rtotal",
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_exactly_its_field_scope(make_user, buyer_order, role):
    user = make_user(role)

    headers, rows = exports.export_table(user, Order.objects.all())
    (row,) = [dict(zip(headers, values, strict=True)) for values in rows]

    assert ("Phone" in headers) is (role in SEES_PHONE)
    for column in ("Goods", "Total", "Paid amount", "Currency"):
        assert (column in headers) is (role in SEES_MONEY)
    assert "+8613800138000" not in repr(row) or role in SEES_PHONE
    assert row["Order number"] == buyer_order.number


def test_a_warehouse_file_carries_no_phone_and_no_money_in_any_layout(make_user, buyer_order):
    user = make_user("Warehouse")
    for layout in exports.LAYOUTS:
        headers, rows = exports.export_table(user, Order.objects.all(), layout)
        content = exports.render(headers, rows, file_format=exports.CSV).decode()
        assert "13800138000" not in content
        assert "9.90" not in content and "19.80" not in content


def test_roles_without_the_export_permission_get_nothing(make_user, buyer_order):
    from tests.factories import UserFactory

    with pytest.raises(NotPermitted):
        exports.export_table(UserFactory(), Order.objects.all())


@pytest.mark.parametrize("file_format", [exports.CSV, exports.XLSX])
def test_cells_a_buyer_controls_cannot_become_formulas(clerk, buyer_order, file_format):
    headers, rows = exports.export_table(clerk, Order.objects.all())
    content = exports.render(headers, rows, file_format=file_format)

    if file_format == exports.CSV:
        (row,) = read_csv(content)
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        names = [cell.value for cell in sheet[1]]
        row = dict(zip(names, [cell.value for cell in sheet[2]], strict=True))
    assert row["Recipient"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert row["Phone"] == "'+8613800138000"  # kept whole, shown as text
    assert row["Street address"] == "'@SUM(1+1)"
    assert row["Buyer account"] == "'-2+3"
    assert row["Buyer message"] == "'\t=cmd|' /C calc'!A0"
    assert row["Seller memo"] in ("'\rtotal", "'\ntotal")  # XLSX stores a line break as \n


def test_amounts_stay_numbers_in_xlsx(clerk, order_in_status):
    order_in_status(OrderStatus.PAID)
    headers, rows = exports.export_table(clerk, Order.objects.all())

    sheet = load_workbook(io.BytesIO(exports.render(headers, rows, file_format=exports.XLSX))).active
    row = dict(zip([cell.value for cell in sheet[1]], [cell.value for cell in sheet[2]], strict=True))

    assert row["Total"] == pytest.approx(19.8)
    assert isinstance(row["Total"], float)


def test_csv_with_bom_for_excel_on_chinese_windows(clerk, order_in_status):
    order_in_status(OrderStatus.PAID)
    headers, rows = exports.export_table(clerk, Order.objects.all())

    with_bom = exports.render(headers, rows, file_format=exports.CSV, bom=True)
    headers, rows = exports.export_table(clerk, Order.objects.all())
    without = exports.render(headers, rows, file_format=exports.CSV, bom=False)

    assert with_bom.startswith(b"\xef\xbb\xbf") and not without.startswith(b"\xef\xbb\xbf")
    assert with_bom[3:] == without
    assert "张三" in with_bom.decode("utf-8-sig")


def test_the_template_layout_imports_back_as_the_same_orders(clerk, order_in_status, platform_channel, run_import):
    from orders.models import Platform

    order_in_status(OrderStatus.PAID, platform_order_id="WEB-1")
    headers, rows = exports.export_table(clerk, Order.objects.all(), "template")
    content = exports.render(headers, rows, file_format=exports.CSV, bom=True)

    batch = run_import(platform_channel(Platform.OTHER), ("export.csv", content))

    assert batch.created_count == 1, list(batch.rejections.values_list("reason", flat=True))
    copy = Order.objects.get(channel__code="other-shop")
    original = Order.objects.get(platform_order_id="WEB-1", channel__code="tmall-flagship")
    for field in ("ship_name", "ship_phone", "ship_province", "ship_city", "ship_address", "status", "goods_amount", "paid_amount"):
        assert getattr(copy, field) == getattr(original, field), field
    assert [(line.sku_id, line.quantity) for line in copy.lines.all()] == [(line.sku_id, line.quantity) for line in original.lines.all()]


def test_the_admin_exports_selected_orders_in_the_users_scope(make_user, buyer_order, client):
    client.force_login(make_user("Warehouse"))

    response = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "export_orders", "_selected_action": [buyer_order.pk], "apply": "1", "file_format": "csv", "bom": "on", "layout": "orders"},
    )

    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    (row,) = read_csv(content)
    assert row["Order number"] == buyer_order.number
    assert "Phone" not in row and "Total" not in row


def test_export_orders_command_writes_the_users_scope(make_user, buyer_order, tmp_path):
    make_user("Finance", username="fin")
    path = tmp_path / "orders.csv"

    call_command("export_orders", "--user", "fin", "--status", "shipped", "--bom", "-o", str(path))

    (row,) = read_csv(path.read_bytes())
    assert Decimal(row["Total"]) == Decimal("19.80")
    assert "Phone" not in row


# --- available to sell ---------------------------------------------------------------------------


def test_the_stock_file_lists_each_platform_code_with_what_can_be_sold(clerk, channel, skus, warehouse, receive_stock, order_in_status):
    SKUAliasFactory(channel=channel, platform_sku_code="4501234567890", sku=skus[0])
    order_in_status(OrderStatus.ALLOCATED)  # reserves 2 × TEA-1
    inactive = SKUFactory(code="OLD-1", is_active=False)
    receive_stock(warehouse, inactive, 5)

    headers, rows = exports.stock_table(clerk, channel)

    by_code = {row[1]: row for row in rows}
    assert by_code["4501234567890"][2:] == ["TEA-1", skus[0].name, 48]  # the alias, 50 on hand − 2 reserved
    assert by_code["TEA-2"][4] == 50  # no alias: the channel sells it under our code
    assert "OLD-1" not in by_code


def test_the_stock_file_from_the_channel_list_and_the_command(clerk, channel, skus, client, tmp_path):
    client.force_login(clerk)

    response = client.post(reverse("admin:orders_channel_changelist"), {"action": "stock_file_xlsx", "_selected_action": [channel.pk]})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [cell.value for cell in sheet[1]] == ["Channel", "Platform SKU code", "Our SKU", "Name", "Available to sell"]
    path = tmp_path / "stock.csv"
    call_command("export_stock", "--channel", channel.code, "--user", "clerk", "-o", str(path))
    assert len(read_csv(path.read_bytes())) == 3


def test_the_export_names_channel_and_warehouse_as_people_know_them(clerk, buyer_order):
    headers, rows = exports.export_table(clerk, Order.objects.all())
    (row,) = [dict(zip(headers, values, strict=True)) for values in rows]

    assert (row["Channel"], row["Warehouse"]) == ("Tmall flagship store", "Shanghai")


@pytest.mark.parametrize("role", ROLES)
def test_a_control_character_stored_in_an_order_never_breaks_an_xlsx_export(make_user, order_in_status, client, role):
    # Stored before imports cleaned such characters, or typed in through another path (no NUL: PostgreSQL refuses it).
    order = order_in_status(OrderStatus.SHIPPED, buyer_message="放门口\x0b谢谢\x07", ship_name="\u202eevil\x1b")
    client.force_login(make_user(role))

    for layout in exports.LAYOUTS:
        response = client.post(
            reverse("admin:orders_order_changelist"),
            {"action": "export_orders", "_selected_action": [order.pk], "apply": "1", "file_format": "xlsx", "layout": layout},
        )

        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        assert order.number in values or order.platform_order_id in values
        assert not any(isinstance(value, str) and ("\x0b" in value or "\u202e" in value) for value in values)
        if "Buyer message" in values:
            assert "放门口谢谢" in values


def test_control_characters_in_an_imported_file_are_removed_on_the_way_in(clerk, platform_channel, skus, run_import):
    from orders.models import Platform

    from . import platform_files as pf

    row = pf.generic_row("WEB-9", buyer_message="放门口\x0b谢谢\x00", recipient="周\u202e八")
    run_import(platform_channel(Platform.B2B), ("orders.csv", pf.generic_csv([row])))

    order = Order.objects.get(platform_order_id="WEB-9")
    assert (order.buyer_message, order.ship_name) == ("放门口谢谢", "周八")
