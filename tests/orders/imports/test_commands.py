"""manage.py import_orders / import_tracking: the same pipeline, from the shell."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from orders import services

from orders.models import ImportBatch, ImportStatus, Order, OrderStatus

from . import platform_files as pf


@pytest.fixture
def taobao_pair_on_disk(tmp_path):
    orders = tmp_path / "ExportOrderList202405011200.csv"
    items = tmp_path / "ExportOrderDetailList202405011200.csv"
    orders.write_bytes(pf.taobao_orders([pf.taobao_order(1), pf.taobao_order(2, 买家应付邮费="x")]))
    items.write_bytes(pf.taobao_items([pf.taobao_item(1), pf.taobao_item(2)]))
    return str(orders), str(items)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_writes_nothing_and_leaves_a_preview_to_confirm(taobao_channel, skus, clerk, taobao_pair_on_disk):
    output = run("import_orders", "--channel", taobao_channel.code, "--dry-run", "--user", "clerk", *taobao_pair_on_disk)

    assert "Would create 1" in output and "rejected 2 rows" in output
    assert "买家应付邮费" in output
    assert not Order.objects.exists()
    assert ImportBatch.objects.get().status == ImportStatus.PREVIEWED


def test_import_creates_the_orders_and_again_changes_nothing(taobao_channel, skus, clerk, taobao_pair_on_disk):
    first = run("import_orders", "--channel", taobao_channel.code, "--user", "clerk", *taobao_pair_on_disk)
    second = run("import_orders", "--channel", taobao_channel.code, "--user", "clerk", *taobao_pair_on_disk)

    assert "Created 1" in first
    assert "Created 0, changed 0, unchanged 1" in second
    assert Order.objects.get().created_at is not None


def test_an_unknown_channel_or_file_is_a_clear_error(taobao_channel, taobao_pair_on_disk):
    with pytest.raises(CommandError, match="No channel"):
        run("import_orders", "--channel", "nope", *taobao_pair_on_disk)
    with pytest.raises(CommandError, match="No file"):
        run("import_orders", "--channel", taobao_channel.code, "/nonexistent.csv")


def test_a_user_whose_role_may_not_import_is_refused(taobao_channel, skus, warehouse_user, taobao_pair_on_disk):
    with pytest.raises(CommandError, match="may not import orders"):
        run("import_orders", "--channel", taobao_channel.code, "--user", "warehouse", *taobao_pair_on_disk)


def test_an_unreadable_file_fails_the_command_with_the_reason(taobao_channel, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")

    with pytest.raises(CommandError, match="empty"):
        run("import_orders", "--channel", taobao_channel.code, str(empty))


def test_import_tracking_ships_packed_orders(order_in_status, warehouse_user, tmp_path):
    order = order_in_status(OrderStatus.PACKED)
    path = tmp_path / "tracking.csv"
    path.write_bytes(pf.tracking_csv([(order.number, "顺丰速运", "SF123")]))

    output = run("import_tracking", "--user", "warehouse", str(path))

    assert "changed 1" in output
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def _killed_command_line_import(taobao_channel, clerk, taobao_pair_on_disk) -> ImportBatch:
    """What `import_orders` leaves when it is killed between starting the import and its first chunk."""
    with open(taobao_pair_on_disk[0], "rb") as orders, open(taobao_pair_on_disk[1], "rb") as items:
        batch = services.import_batch_create(
            actor=clerk, channel=taobao_channel, files=[("orders.csv", orders), ("items.csv", items)]
        )
    services.import_batch_import(actor=clerk, batch_id=batch.pk, inline=True)
    return ImportBatch.objects.get(pk=batch.pk)


def test_a_killed_command_line_import_is_marked_failed_and_can_be_run_again(
    taobao_channel, skus, clerk, taobao_pair_on_disk
):
    batch = _killed_command_line_import(taobao_channel, clerk, taobao_pair_on_disk)
    ImportBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() - timedelta(minutes=20))

    output = run("import_cleanup")

    batch.refresh_from_db()
    assert "1 stopped imports marked failed" in output
    assert batch.status == ImportStatus.FAILED
    assert "stopped before it finished" in batch.error
    assert batch.can_run_again()
    services.import_batch_run_again(actor=clerk, batch_id=batch.pk)
    services.import_batch_continue(batch_id=batch.pk)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.DONE
    assert Order.objects.count() == 1


def test_an_import_still_making_progress_is_left_alone(taobao_channel, skus, clerk, taobao_pair_on_disk):
    batch = _killed_command_line_import(taobao_channel, clerk, taobao_pair_on_disk)

    run("import_cleanup")

    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.IMPORTING
