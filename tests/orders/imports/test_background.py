"""Big files run as django-q2 tasks (sync in tests), resume after a time
budget, and a crash leaves whole orders only: importing again finishes the job."""

import io

import pytest
from django.utils import translation
from django_q.models import Task

from orders import services
from orders.services import import_pipeline as pipeline
from orders.models import ImportBatch, ImportStatus, Order, OrderLine
from orders.services import imports as import_services

from . import platform_files as pf

ORDERS = 7


def files():
    orders = [pf.taobao_order(n) for n in range(1, ORDERS + 1)]
    items = [pf.taobao_item(n) for n in range(1, ORDERS + 1)]
    return ("ExportOrderList.csv", pf.taobao_orders(orders)), ("ExportOrderDetailList.csv", pf.taobao_items(items))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 2)


def test_a_file_of_many_rows_is_previewed_and_imported_by_a_task(settings, taobao_channel, skus, run_import):
    settings.ORDERDESK_IMPORT_TASK_ROWS = 5  # the real threshold is 10,000 rows

    preview = run_import(taobao_channel, *files(), preview=True)

    assert preview.in_background and preview.status == ImportStatus.PREVIEWED
    assert Task.objects.filter(func="orders.tasks.import_batch_continue", success=True).count() == 1


def test_a_task_stops_at_its_time_budget_and_its_continuation_resumes(settings, taobao_channel, skus, run_import, small_chunks):
    settings.ORDERDESK_IMPORT_TASK_ROWS = 5
    settings.ORDERDESK_IMPORT_TASK_SECONDS = 0  # every task does one chunk, then queues the next

    batch = run_import(taobao_channel, *files())

    assert (batch.status, batch.created_count, batch.rows_done) == (ImportStatus.DONE, ORDERS, 2 * ORDERS)
    # 7 orders, 2 a chunk: four tasks write one chunk each, a fifth finds the end of the file.
    assert Task.objects.filter(func="orders.tasks.import_batch_continue").count() == 5
    assert Order.objects.count() == ORDERS


def test_a_crash_mid_file_leaves_whole_orders_and_running_it_again_finishes(taobao_channel, skus, run_import, small_chunks, monkeypatch, clerk, django_capture_on_commit_callbacks):
    real = import_services.orders_import_new
    calls = []

    def crash_on_the_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(import_services, "orders_import_new", crash_on_the_second_chunk)
    batch = run_import(taobao_channel, *files())

    assert batch.status == ImportStatus.FAILED
    assert "disk full" in batch.error and "run it again" in batch.error
    assert Order.objects.count() == 2  # the first chunk, whole
    assert OrderLine.objects.count() == 2
    assert batch.can_run_again()

    monkeypatch.setattr(import_services, "orders_import_new", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_batch_run_again(actor=clerk, batch_id=batch.pk)

    batch = ImportBatch.objects.get(pk=batch.pk)
    assert (batch.status, batch.created_count, batch.unchanged_count) == (ImportStatus.DONE, ORDERS - 2, 2)
    assert sorted(Order.objects.values_list("platform_order_id", flat=True)) == sorted(str(n) for n in range(1, ORDERS + 1))
    assert OrderLine.objects.count() == ORDERS


def test_running_a_finished_batch_again_does_nothing(taobao_channel, skus, run_import):
    batch = run_import(taobao_channel, *files())
    orders = Order.objects.count()

    again = services.import_batch_continue(batch_id=batch.pk)

    assert (again.status, again.created_count, Order.objects.count()) == (ImportStatus.DONE, ORDERS, orders)


def test_the_same_file_imported_from_scratch_twice_creates_each_order_once(taobao_channel, skus, run_import, small_chunks):
    run_import(taobao_channel, *files())
    second = run_import(taobao_channel, *files())

    assert (second.created_count, second.unchanged_count) == (0, ORDERS)
    assert Order.objects.count() == ORDERS


def test_a_background_run_writes_its_rejected_rows_in_the_uploaders_language(taobao_channel, skus, clerk):
    orders = [pf.taobao_order(1), pf.taobao_order(2, 订单状态="乱码")]
    files = [
        ("ExportOrderList.csv", io.BytesIO(pf.taobao_orders(orders))),
        ("ExportOrderDetailList.csv", io.BytesIO(pf.taobao_items([pf.taobao_item(1), pf.taobao_item(2)]))),
    ]
    with translation.override("zh-hans"):  # a Chinese clerk uploads
        batch = services.import_batch_create(actor=clerk, channel=taobao_channel, files=files)

    # the task runs later, in no request: in the default language
    services.import_batch_preview(actor=clerk, batch_id=batch.pk, inline=True)
    services.import_batch_continue(batch_id=batch.pk)

    reasons = [rejection.reason for rejection in ImportBatch.objects.get(pk=batch.pk).rejections.all()]
    assert any("未知状态" in reason for reason in reasons), reasons
