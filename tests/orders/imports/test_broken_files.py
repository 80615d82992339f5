"""Bad input gets a clear error and loses nothing: a bad row never stops the
good ones, and never leaves half an order."""

import time
import tracemalloc

import pytest

from orders.models import ImportStatus, Order, OrderLine, Platform
from tests.flow import snapshot
from tests.samples import SAMPLES

from . import platform_files as pf


def reasons(batch) -> list[str]:
    return list(batch.rejections.values_list("reason", flat=True))


def test_a_file_in_an_encoding_we_cannot_read_fails_with_why_and_imports_nothing(taobao_channel, skus, run_import):
    # Big5 (Traditional Chinese) bytes: read as GB18030 they are not the headers the format needs.
    text = pf.taobao_orders([pf.taobao_order(1)], encoding="utf-8").decode("utf-8")
    big5 = text.encode("big5", errors="replace")

    batch = run_import(taobao_channel, ("orders.csv", big5), ("items.csv", pf.taobao_items([pf.taobao_item(1)])))

    assert batch.status == ImportStatus.FAILED
    assert "订单编号" in batch.error or "neither" in batch.error
    assert not Order.objects.exists()


def test_a_missing_required_column_is_named_and_nothing_is_imported(platform_channel, skus, run_import):
    channel = platform_channel(Platform.JD)
    data = pf.jd_rows([pf.jd_row(1)]).decode("gbk").replace("订单状态", "状态").encode("gbk")

    batch = run_import(channel, ("jd.csv", data))

    assert batch.status == ImportStatus.FAILED
    assert "订单状态" in batch.error
    assert not Order.objects.exists()


def test_a_non_numeric_amount_rejects_that_order_only(taobao_channel, skus, run_import):
    orders = [pf.taobao_order(1, 买家应付邮费="十元"), pf.taobao_order(2)]
    items = [pf.taobao_item(1), pf.taobao_item(2)]

    batch = run_import(taobao_channel, ("o.csv", pf.taobao_orders(orders)), ("i.csv", pf.taobao_items(items)))

    assert batch.created_count == 1
    assert list(Order.objects.values_list("platform_order_id", flat=True)) == ["2"]
    rejected = batch.rejections.filter(platform_order_id="1")
    assert rejected.count() == 2  # the order row and its item row, each with the reason
    assert all("买家应付邮费" in reason and "十元" in reason for reason in rejected.values_list("reason", flat=True))


def test_an_order_with_one_bad_line_lands_not_at_all(platform_channel, skus, run_import):
    channel = platform_channel(Platform.JD)
    rows = [pf.jd_row(1), pf.jd_row(1, 商品ID="100099999999", 订购数量="两个"), pf.jd_row(2)]

    batch = run_import(channel, ("jd.csv", pf.jd_rows(rows)))

    assert list(Order.objects.values_list("platform_order_id", flat=True)) == ["2"]
    assert OrderLine.objects.count() == 1
    assert batch.rejections.filter(platform_order_id="1").count() == 2
    assert any("订购数量" in reason and "两个" in reason for reason in reasons(batch))


def test_duplicate_rows_are_used_once_and_reported(platform_channel, skus, run_import):
    channel = platform_channel(Platform.JD)
    rows = [pf.jd_row(1), pf.jd_row(1), pf.jd_row(2)]

    batch = run_import(channel, ("jd.csv", pf.jd_rows(rows)))

    assert batch.created_count == 2
    assert Order.objects.get(platform_order_id="1").lines.count() == 1
    (rejection,) = batch.rejections.all()
    assert (rejection.line, rejection.reason) == (3, "Duplicate of line 2: the same row twice; it was used once.")
    assert batch.rejected_orders == 0  # the order itself was used


def test_an_order_row_twice_in_an_order_report_is_used_once(taobao_channel, skus, run_import):
    orders = [pf.taobao_order(1), pf.taobao_order(1, 收货人姓名="别人")]

    batch = run_import(taobao_channel, ("o.csv", pf.taobao_orders(orders)), ("i.csv", pf.taobao_items([pf.taobao_item(1)])))

    assert Order.objects.get().ship_name == "王小明"
    assert any("appears twice" in reason for reason in reasons(batch))


def test_a_file_with_only_its_header_imports_nothing_and_says_so(platform_channel, skus, run_import):
    channel = platform_channel(Platform.JD)

    batch = run_import(channel, ("jd.csv", pf.jd_rows([])))

    assert (batch.status, batch.created_count, batch.rejected_rows) == (ImportStatus.DONE, 0, 0)


def test_a_zero_byte_file_fails_with_a_clear_error(platform_channel, skus, run_import):
    batch = run_import(platform_channel(Platform.JD), ("jd.csv", b""))

    assert (batch.status, batch.error) == (ImportStatus.FAILED, "The file is empty.")


def test_an_old_excel_file_is_refused_with_what_to_do(platform_channel, run_import):
    batch = run_import(platform_channel(Platform.JD), ("jd.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512))

    assert batch.status == ImportStatus.FAILED
    assert ".xlsx" in batch.error


def test_an_order_the_services_refuse_is_rejected_and_the_rest_of_its_chunk_lands(taobao_channel, skus, run_import, finance_user):
    from finance.services import period_close

    # Order 2 was paid in a month finance has closed (finance's rule, checked by the service).
    period_close(actor=finance_user, year=2024, month=4)
    orders = [pf.taobao_order(1), pf.taobao_order(2, 订单创建时间="2024-04-30 10:00:00", 订单付款时间="2024-04-30 10:05:00"), pf.taobao_order(3)]
    items = [pf.taobao_item(1), pf.taobao_item(2), pf.taobao_item(3)]

    batch = run_import(taobao_channel, ("o.csv", pf.taobao_orders(orders)), ("i.csv", pf.taobao_items(items)))

    assert sorted(Order.objects.values_list("platform_order_id", flat=True)) == ["1", "3"]
    assert batch.created_count == 2
    assert any("closed" in reason for reason in reasons(batch))


def test_a_cell_too_long_for_its_field_rejects_the_order_with_the_field_named(platform_channel, skus, run_import):
    channel = platform_channel(Platform.JD)

    batch = run_import(channel, ("jd.csv", pf.jd_rows([pf.jd_row(1, 客户姓名="名" * 101), pf.jd_row(2)])))

    assert batch.created_count == 1
    assert any("recipient" in reason and "100" in reason for reason in reasons(batch))


def test_a_50_mb_file_streams_through_with_flat_memory(platform_channel, skus, run_import, tmp_path, clerk):
    channel = platform_channel(Platform.JD)
    note = "请在工作日送货，到了先打电话，放门卫室也可以，谢谢！" * 80  # ~2,000 characters, ~4 KB in GBK
    path = tmp_path / "jd_big.csv"
    header = pf.csv_text(pf.JD, []).encode("gbk")
    with open(path, "wb") as out:
        out.write(header)
        number = 0
        while out.tell() < 50 * 1024 * 1024:
            rows = [pf.jd_row(number + offset, 订单备注=note) for offset in range(200)]
            out.write(pf.csv_text(pf.JD, rows).encode("gbk")[len(header) :])
            number += 200
    size_mb = path.stat().st_size / 1024 / 1024
    before = snapshot()

    tracemalloc.start()
    started = time.monotonic()
    with open(path, "rb") as upload:
        batch = run_import(channel, ("jd_big.csv", upload), preview=True)
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert size_mb >= 50
    assert (batch.status, batch.created_count) == (ImportStatus.PREVIEWED, number), batch.error
    assert snapshot() == before  # a preview writes nothing
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB for a {size_mb:.0f} MB file"
    assert elapsed < 60


@pytest.mark.parametrize("cells", [{"订单号": ""}, {"下单时间": "昨天"}])
def test_rows_with_no_id_or_no_date_are_rejected_with_the_column_named(platform_channel, skus, run_import, cells):
    channel = platform_channel(Platform.JD)

    batch = run_import(channel, ("jd.csv", pf.jd_rows([pf.jd_row(1, **cells), pf.jd_row(2)])))

    assert batch.created_count == 1
    (column,) = cells
    assert any(column in reason for reason in reasons(batch))


def test_a_real_amazon_settlement_file_is_not_taken_for_an_order_report(platform_channel, run_import):
    # tests/samples: a real Amazon settlement flat file (V1) — the wrong file for the All Orders importer.
    sample = SAMPLES / "amazon_settlement_flatfile_v1_legacy_mws-rs.tsv"

    batch = run_import(platform_channel(Platform.AMAZON), (sample.name, sample.read_bytes()))

    assert batch.status == ImportStatus.FAILED
    assert "amazon-order-id" in batch.error or "purchase-date" in batch.error
    assert not Order.objects.exists()
