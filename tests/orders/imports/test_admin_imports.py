"""The admin's upload → preview → confirm, who may use it, and the rejected rows file."""

import csv
import io

import pytest
from django.urls import reverse

from core.errors import DomainError
from orders import services
from orders.models import ImportBatch, ImportKind, ImportStatus, Order, OrderStatus

from . import platform_files as pf

ADD = "admin:orders_importbatch_add"


def upload(client, django_capture_on_commit_callbacks, *files, **fields):
    data = {"kind": ImportKind.ORDERS, "file_format": "", **fields}
    data["files"] = [io.BytesIO(content) for _name, content in files]
    for handle, (name, _content) in zip(data["files"], files, strict=True):
        handle.name = name
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse(ADD), data)


def taobao_files(*orders, items=None):
    items = items if items is not None else [pf.taobao_item(order["订单编号"]) for order in orders]
    return ("ExportOrderList.csv", pf.taobao_orders(list(orders))), ("ExportOrderDetailList.csv", pf.taobao_items(items))


def test_upload_preview_then_confirm(taobao_channel, skus, clerk, client, django_capture_on_commit_callbacks, import_dir):
    client.force_login(clerk)
    files = taobao_files(pf.taobao_order(1), pf.taobao_order(2, 订单状态="谁知道"))

    response = upload(client, django_capture_on_commit_callbacks, *files, channel=taobao_channel.pk)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:orders_importbatch_change", args=[batch.pk])
    assert (batch.status, batch.created_count, batch.rejected_orders) == (ImportStatus.PREVIEWED, 1, 1)
    assert not Order.objects.exists()
    page = client.get(response.url)
    assert "Orders to create" in page.text and "谁知道" in page.text and "Confirm import" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:orders_importbatch_confirm", args=[batch.pk]))

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_count, batch.confirmed_by) == (ImportStatus.DONE, 1, clerk)
    assert Order.objects.get().platform_order_id == "1"
    assert batch.stored_files == [] and not any(import_dir.rglob("*.csv"))  # uploaded files cleaned up


def test_the_rejected_rows_download_has_the_files_columns_and_a_reason_each(taobao_channel, skus, clerk, client, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    files = taobao_files(pf.taobao_order(1, 买家应付邮费="abc"), pf.taobao_order(2))
    upload(client, django_capture_on_commit_callbacks, *files, channel=taobao_channel.pk)
    batch = ImportBatch.objects.get()

    response = client.get(reverse("admin:orders_importbatch_rejected", args=[batch.pk]))

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(row["file"], row["line"]) for row in rows] == [("ExportOrderList.csv", "2"), ("ExportOrderDetailList.csv", "2")]
    assert all("abc" in row["reason"] for row in rows)
    assert rows[0]["收货地址 "] == "上海 上海市 浦东新区 世纪大道100号8楼(200120)"  # the platform's own header, trailing space and all
    assert rows[1]["标题"] == "龙井茶礼盒"


def test_discarding_a_preview_deletes_its_files(taobao_channel, skus, clerk, client, django_capture_on_commit_callbacks, import_dir):
    client.force_login(clerk)
    upload(client, django_capture_on_commit_callbacks, *taobao_files(pf.taobao_order(1)), channel=taobao_channel.pk)
    batch = ImportBatch.objects.get()
    assert any(import_dir.rglob("*.csv"))

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the discard is committed
        client.post(reverse("admin:orders_importbatch_discard", args=[batch.pk]))

    assert ImportBatch.objects.get().status == ImportStatus.DISCARDED
    assert not any(import_dir.rglob("*.csv"))


def test_previews_nobody_confirms_are_discarded_after_a_day(
    taobao_channel, skus, run_import, import_dir, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    batch = run_import(taobao_channel, *taobao_files(pf.taobao_order(1)), preview=True)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(hours=25))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_cleanup", stdout=io.StringIO())

    assert ImportBatch.objects.get().status == ImportStatus.DISCARDED
    assert not any(import_dir.rglob("*.csv"))


def test_the_blank_template_downloads_in_both_formats(clerk, client):
    client.force_login(clerk)

    csv_file = client.get(reverse("admin:orders_importbatch_template", args=["csv"]))
    xlsx_file = client.get(reverse("admin:orders_importbatch_template", args=["xlsx"]))

    assert csv_file.content.decode("utf-8-sig").startswith("order_id,placed_at,status,")
    assert xlsx_file.content.startswith(b"PK")


# --- who may do what ----------------------------------------------------------------------------------

UPLOAD_KINDS = {
    "Clerk": {ImportKind.ORDERS, ImportKind.TRACKING},
    "Warehouse": {ImportKind.TRACKING},
    "Customer service": set(),
    "Finance": set(),
    "Supervisor": {ImportKind.ORDERS, ImportKind.TRACKING},
}


@pytest.mark.parametrize("role", list(UPLOAD_KINDS))
def test_each_role_may_upload_exactly_its_kinds_of_file(make_user, client, role, taobao_channel):
    client.force_login(make_user(role))

    page = client.get(reverse(ADD))

    if not UPLOAD_KINDS[role]:
        assert page.status_code == 403
        return
    assert page.status_code == 200
    offered = set(page.context["form"].fields["kind"].choices)
    assert {value for value, _label in offered} == UPLOAD_KINDS[role]


@pytest.mark.parametrize("role", list(UPLOAD_KINDS))
def test_order_batches_are_shown_only_to_roles_that_import_orders(make_user, client, role, taobao_channel, skus, run_import):
    batch = run_import(taobao_channel, *taobao_files(pf.taobao_order(1, 联系手机="13912345678")), preview=True)
    client.force_login(make_user(role))

    listing = client.get(reverse("admin:orders_importbatch_changelist"))
    page = client.get(reverse("admin:orders_importbatch_change", args=[batch.pk]))
    rejected = client.get(reverse("admin:orders_importbatch_rejected", args=[batch.pk]))

    if ImportKind.ORDERS in UPLOAD_KINDS[role]:
        assert (listing.status_code, page.status_code, rejected.status_code) == (200, 200, 200)
    else:
        assert listing.status_code in (200, 403)
        assert page.status_code in (403, 404) and rejected.status_code in (403, 404)
        assert "13912345678" not in listing.text


def test_a_warehouse_user_cannot_confirm_an_order_import_by_posting(make_user, client, taobao_channel, skus, run_import):
    batch = run_import(taobao_channel, *taobao_files(pf.taobao_order(1)), preview=True)
    client.force_login(make_user("Warehouse"))

    response = client.post(reverse("admin:orders_importbatch_confirm", args=[batch.pk]))

    assert response.status_code in (403, 404)
    assert ImportBatch.objects.get().status == ImportStatus.PREVIEWED
    assert not Order.objects.exists()


def test_a_warehouse_user_uploads_a_tracking_file_and_confirms_it(make_user, client, order_in_status, django_capture_on_commit_callbacks):
    order = order_in_status(OrderStatus.PACKED)
    client.force_login(make_user("Warehouse"))

    upload(client, django_capture_on_commit_callbacks, ("运单.csv", pf.tracking_csv([(order.number, "顺丰速运", "SF1")])), kind=ImportKind.TRACKING)
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:orders_importbatch_confirm", args=[batch.pk]))

    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_an_upload_without_a_channel_is_refused_on_the_form(clerk, client, django_capture_on_commit_callbacks, taobao_channel):
    client.force_login(clerk)

    response = upload(client, django_capture_on_commit_callbacks, *taobao_files(pf.taobao_order(1)))

    assert response.status_code == 200
    assert "Choose the channel" in response.text
    assert not ImportBatch.objects.exists()


def test_too_many_files_for_a_one_file_format_says_file_not_files(clerk, platform_channel):
    channel = platform_channel("jd")
    files = [("a.csv", io.BytesIO(b"x")), ("b.csv", io.BytesIO(b"y"))]

    with pytest.raises(DomainError) as refused:
        services.import_batch_create(actor=clerk, channel=channel, files=files)

    assert str(refused.value).endswith("takes at most 1 file.")
