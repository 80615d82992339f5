"""A value too big or too long for its column rejects its order in the
preview and in the import alike, on SQLite and PostgreSQL: it never reaches
the database (where PostgreSQL refuses the statement and SQLite stores what
it cannot read back), and the rest of the file lands."""

import pytest
from django.urls import reverse

from orders.models import ImportStatus, Order, Platform

from . import platform_files as pf

GOOD = pf.generic_row("GOOD-1")


def _rejections(batch) -> dict[str, str]:
    return dict(batch.rejections.values_list("platform_order_id", "reason"))


@pytest.mark.parametrize(
    ("cells", "named"),
    [
        ({"shipping_amount": "1000000000000000"}, "shipping"),
        ({"unit_price": "1e15"}, "unit_price"),
        ({"paid_amount": "99999999999999.99"}, "paid_amount"),
        ({"quantity": "3000000000"}, "quantity"),
        ({"quantity": "1000000000"}, "quantity"),
        ({"status": "cancelled", "cancelled_at": "2024-06-02 10:00:00", "cancel_reason": "不要了" * 100}, "cancel reason"),
        ({"status": "shipped", "carrier": "SF", "tracking_number": "SF" + "9" * 80}, "tracking number"),
        ({"placed_at": "0001-01-01 00:00:00"}, "0001-01-01"),
        ({"placed_at": "2099-06-01 09:30:00"}, "2099-06-01"),
        ({"paid_at": "9999-12-31 23:59:59"}, "9999-12-31"),
    ],
)
def test_a_value_that_does_not_fit_its_column_rejects_its_order_in_preview_and_import_alike(
    platform_channel, skus, run_import, cells, named
):
    channel = platform_channel(Platform.B2B)
    data = pf.generic_csv([pf.generic_row("BAD-1", **cells), GOOD])

    preview = run_import(channel, ("orders.csv", data), preview=True)
    batch = run_import(channel, ("orders.csv", data))

    assert (preview.status, preview.created_count, preview.rejected_orders) == (ImportStatus.PREVIEWED, 1, 1)
    assert (batch.status, batch.created_count, batch.rejected_orders) == (ImportStatus.DONE, 1, 1), batch.error
    assert named in _rejections(batch)["BAD-1"]
    assert list(Order.objects.values_list("platform_order_id", flat=True)) == ["GOOD-1"]


def test_after_a_file_with_a_huge_amount_the_order_list_still_opens(platform_channel, skus, run_import, superuser, client):
    channel = platform_channel(Platform.B2B)
    run_import(channel, ("orders.csv", pf.generic_csv([pf.generic_row("BAD-1", shipping_amount="1e15"), GOOD])))
    client.force_login(superuser)

    response = client.get(reverse("admin:orders_order_changelist"))

    assert response.status_code == 200
    assert Order.objects.get().platform_order_id == "GOOD-1"


def test_an_amount_of_1e30_rejects_its_order_even_where_a_unit_price_is_derived_from_it(platform_channel, skus, run_import):
    channel = platform_channel(Platform.PDD)
    data = pf.pdd_rows([pf.pdd_row(1, **{"商品总价(元)": "1e30", "用户实付金额(元)": "1e30"}), pf.pdd_row(2)])

    batch = run_import(channel, ("pdd.csv", data))

    assert (batch.status, batch.created_count, batch.rejected_orders) == (ImportStatus.DONE, 1, 1), batch.error
    assert "too large" in _rejections(batch)["1"]


def test_amounts_each_within_limits_that_sum_past_the_column_reject_the_order(platform_channel, skus, run_import):
    channel = platform_channel(Platform.B2B)
    big = pf.generic_row("BAD-1", unit_price="999999999999.00", quantity="5")
    batch = run_import(channel, ("orders.csv", pf.generic_csv([big, GOOD])))

    assert (batch.created_count, batch.rejected_orders) == (1, 1), batch.error
    assert "too large" in _rejections(batch)["BAD-1"]
