"""Fixtures for importing platform files through the real services."""

import io

import pytest

from orders import services
from orders.models import ImportBatch, Platform
from tests.factories import ChannelFactory


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    """Uploaded files go to a folder of this test's own."""
    settings.ORDERDESK_IMPORT_DIR = tmp_path / "imports"
    return settings.ORDERDESK_IMPORT_DIR


@pytest.fixture
def taobao_channel(db):
    return ChannelFactory(code="tmall", name="天猫旗舰店", platform=Platform.TMALL)


@pytest.fixture
def platform_channel(db):
    """platform_channel("jd") → a channel on that platform (its default format)."""

    def make(platform: str, **fields):
        currency = "USD" if platform in (Platform.SHOPIFY, Platform.AMAZON) else "CNY"
        return ChannelFactory(code=f"{platform}-shop", platform=platform, default_currency=currency, **fields)

    return make


@pytest.fixture
def run_import(clerk, django_capture_on_commit_callbacks):
    """run_import(channel, ("name.csv", b"..."), ...) → the ImportBatch, imported (or only previewed)."""

    def run(channel, *files, actor=clerk, preview=False, file_format="", kind="orders") -> ImportBatch:
        with django_capture_on_commit_callbacks(execute=True):
            batch = services.import_batch_create(
                actor=actor,
                kind=kind,
                channel=channel,
                files=[(name, io.BytesIO(data) if isinstance(data, bytes) else data) for name, data in files],
                file_format=file_format,
            )
            if preview:
                services.import_batch_preview(actor=actor, batch_id=batch.pk)
            else:
                services.import_batch_import(actor=actor, batch_id=batch.pk)
        return ImportBatch.objects.get(pk=batch.pk)

    return run
