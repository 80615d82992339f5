"""A file the chosen format cannot read is refused naming the columns it lacks
and the known format it looks like."""

from orders.models import ImportStatus, Order, Platform

from . import platform_files as pf


def test_an_amazon_report_given_as_shopify_names_what_it_lacks_and_what_it_is(platform_channel, skus, run_import):
    batch = run_import(platform_channel(Platform.SHOPIFY), ("export.txt", pf.amazon_tsv([pf.amazon_row()])))

    assert batch.status == ImportStatus.FAILED
    assert "Name, Created at, Lineitem quantity, Lineitem name" in batch.error
    assert "Amazon: All Orders report" in batch.error
    assert not Order.objects.exists()


def test_a_taobao_order_report_given_to_a_jd_channel_is_told_for_what_it_is(platform_channel, skus, run_import):
    files = ("ExportOrderList.csv", pf.taobao_orders([pf.taobao_order(1)]))

    batch = run_import(platform_channel(Platform.JD), files)

    assert batch.status == ImportStatus.FAILED
    assert "商品ID" in batch.error and "Taobao / Tmall" in batch.error


def test_a_file_of_no_known_format_says_so(platform_channel, skus, run_import):
    batch = run_import(platform_channel(Platform.SHOPIFY), ("notes.csv", b"when,what\n2024-01-01,tea\n"))

    assert batch.status == ImportStatus.FAILED
    assert "Lineitem quantity" in batch.error and "none of the formats" in batch.error
