"""An import batch's files follow its transaction: stored with the batch, and
gone if the batch is not committed; deleted with the batch's discard or
finish only once that is committed."""

import io

import pytest
from django.db import DatabaseError, transaction

from orders import services
from orders.models import ImportBatch, ImportStatus

from . import platform_files as pf


def taobao_pair():
    return [
        ("ExportOrderList.csv", io.BytesIO(pf.taobao_orders([pf.taobao_order(1)]))),
        ("ExportOrderDetailList.csv", io.BytesIO(pf.taobao_items([pf.taobao_item(1)]))),
    ]


def stored_files(import_dir) -> list:
    return [path for path in import_dir.rglob("*") if path.is_file()]


def test_an_upload_whose_batch_is_not_committed_leaves_no_file(taobao_channel, clerk, import_dir, monkeypatch):
    def database_down(**fields):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(ImportBatch.objects, "create", database_down)

    with pytest.raises(DatabaseError):
        services.import_batch_create(actor=clerk, channel=taobao_channel, files=taobao_pair())

    assert stored_files(import_dir) == []


def test_an_upload_is_not_stored_inside_a_callers_transaction(taobao_channel, clerk, import_dir):
    # A caller's transaction could roll the batch back after the files were stored: refused before storing.
    with transaction.atomic(), pytest.raises(RuntimeError):
        services.import_batch_create(actor=clerk, channel=taobao_channel, files=taobao_pair())

    assert stored_files(import_dir) == [] and not ImportBatch.objects.exists()


def test_a_discard_rolled_back_keeps_the_files_its_batch_still_names(
    taobao_channel, clerk, import_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.import_batch_create(actor=clerk, channel=taobao_channel, files=taobao_pair())
    assert len(stored_files(import_dir)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.import_batch_discard(actor=clerk, batch_id=batch.pk)
            raise RuntimeError("the request failed after the discard")

    batch.refresh_from_db()
    assert batch.status == ImportStatus.UPLOADED and len(batch.stored_files) == 2
    assert len(stored_files(import_dir)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.import_batch_discard(actor=clerk, batch_id=batch.pk)

    assert stored_files(import_dir) == []
