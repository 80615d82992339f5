"""The settlement upload refuses values its columns cannot hold and files it
cannot read with what is wrong, never with a server error, and stores
nothing (SQLite and PostgreSQL alike)."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from finance.models import SettlementBatch, SettlementLine

from .settlement_files import SHOPIFY_HEADER, amazon_v2_file



def upload(user, source: str, data: bytes, name: str = "payouts.csv"):
    client = Client()
    client.force_login(user)
    return client.post(
        reverse("admin:finance_settlementbatch_add"), {"source": source, "file": SimpleUploadedFile(name, data)}
    )


def shopify_row(when="2026-06-10 08:00:00 -0400", amount="10.00", fee="-0.59", net="9.41", order="#1001") -> bytes:
    return (
        f"{SHOPIFY_HEADER}\n{when},charge,{order},visa,online,paid,2026-06-20,2026-06-19,{amount},{fee},{net},c1,card,"
        f"{amount},USD,USD\n"
    ).encode()


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (shopify_row(amount="1000000000000000"), "too large"),
        (shopify_row(amount="1e30"), "too large"),
        (shopify_row(amount="99999999999999.99", fee="-0.02"), "too large"),
        (shopify_row(when="0001-01-01 00:00:00 -0400"), "0001-01-01"),
        (shopify_row(when="9999-12-31 23:00:00 -0400"), "9999-12-31"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG"),
        (bytes(range(256)) * 16, "not a text file"),
        (shopify_row().replace(b"visa", b"vis\xe9"), "UTF-8"),
    ],
    ids=["1e15", "1e30", "net over the limit", "year 1", "year 9999", "png", "binary", "cp1252"],
)
def test_a_bad_settlement_file_is_refused_on_the_page_with_what_is_wrong(finance_user, data, said):
    response = upload(finance_user, "shopify", data)

    assert response.status_code == 200
    assert said in response.content.decode()
    assert not SettlementBatch.objects.exists() and not SettlementLine.objects.exists()


def test_an_amazon_group_summing_past_the_column_is_refused(finance_user):
    rows = [("Order", "1", "ItemPrice", "Principal", "99999999999999.00", "2026-06-01 00:00:00 UTC")] * 2
    response = upload(finance_user, "amazon", amazon_v2_file(rows, total="1.00"), name="settlement.txt")

    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not SettlementLine.objects.exists()


def test_nul_bytes_in_a_settlement_file_are_removed_on_the_way_in(finance_user):
    response = upload(finance_user, "shopify", shopify_row(order="#10\x0001"))

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert SettlementLine.objects.get().order_reference == "#1001"
