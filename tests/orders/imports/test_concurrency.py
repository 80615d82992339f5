"""Two imports of the same file at the same time: every order once (PostgreSQL)."""

import io
import threading

import pytest
from django.db import connection

from orders.services import import_pipeline as pipeline
from orders import services
from orders.models import ImportBatch, ImportStatus, Order, OrderLine

from . import platform_files as pf

ORDERS = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_create_each_order_once(taobao_channel, skus, clerk, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK", 10)
    orders = pf.taobao_orders([pf.taobao_order(n) for n in range(ORDERS)])
    items = pf.taobao_items([pf.taobao_item(n) for n in range(ORDERS)])
    batches, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            batch = services.import_batch_create(
                actor=clerk, channel=taobao_channel, files=[("o.csv", io.BytesIO(orders)), ("i.csv", io.BytesIO(items))]
            )
            services.import_batch_import(actor=clerk, batch_id=batch.pk, inline=True)
            start.wait(timeout=10)
            batches.append(services.import_batch_continue(batch_id=batch.pk))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert Order.objects.count() == ORDERS
    assert OrderLine.objects.count() == ORDERS
    done = ImportBatch.objects.filter(status=ImportStatus.DONE)
    assert done.count() == 2
    assert sum(batch.created_count for batch in done) == ORDERS
    for batch in done:  # what one did not create, it found created, or was told to import again
        assert batch.created_count + batch.unchanged_count + batch.rejected_orders == ORDERS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_preview_outside_any_transaction_reads_the_closed_months_under_their_lock(taobao_channel, skus, clerk):
    # As the web request and the worker run it: in autocommit, where PostgreSQL
    # refuses the closed months' LOCK TABLE unless the check opens a transaction.
    batch = services.import_batch_create(
        actor=clerk,
        channel=taobao_channel,
        files=[
            ("o.csv", io.BytesIO(pf.taobao_orders([pf.taobao_order(1)]))),
            ("i.csv", io.BytesIO(pf.taobao_items([pf.taobao_item(1)]))),
        ],
    )
    services.import_batch_preview(actor=clerk, batch_id=batch.pk, inline=True)
    services.import_batch_continue(batch_id=batch.pk)

    batch = ImportBatch.objects.get(pk=batch.pk)
    assert (batch.status, batch.created_count, batch.rejected_orders) == (ImportStatus.PREVIEWED, 1, 0)
