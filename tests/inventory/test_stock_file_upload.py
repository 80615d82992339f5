"""The stock upload refuses hostile or unreadable files with what is wrong,
never with a server error, and writes nothing (SQLite and PostgreSQL alike)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from inventory.models import StockLevel
from tests.flow import snapshot

HEADER = "warehouse,sku,on_hand,location\n"


def upload(user, name: str, data: bytes):
    client = Client()
    client.force_login(user)
    return client.post(reverse("admin:inventory_stocklevel_import"), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ((HEADER + "sh,TEA-1,3000000000,\n").encode(), "2147483647"),
        ((HEADER + "sh,TEA-1,1e30,\n").encode(), "1e30"),
        ((HEADER + "sh,TEA-1,5," + "A" * 40 + "\n").encode(), "32 characters"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG"),
        (bytes(range(256)) * 16, "not a text file"),
        ((HEADER + "sh,TEA-1,5,Caf\xe9\n").encode("cp1252"), "UTF-8"),
    ],
    ids=["on hand over 2^31-1", "1e30", "location too long", "a PNG", "binary", "cp1252"],
)
def test_a_bad_stock_file_is_refused_on_the_page_with_what_is_wrong(warehouse_user, skus, data, said):
    before = snapshot()

    response = upload(warehouse_user, "stock.csv", data)

    assert response.status_code == 200
    assert said in response.content.decode()
    assert snapshot() == before


def test_a_utf16_file_without_a_bom_is_read_as_utf16(warehouse_user, warehouse, skus):
    response = upload(warehouse_user, "stock.csv", (HEADER + "sh,TEA-1,17,B-02\n").encode("utf-16-le"))

    assert response.status_code == 302, response.content.decode()[-2000:]
    level = StockLevel.objects.get(warehouse=warehouse, sku__code="TEA-1")
    assert (level.on_hand, level.location) == (17, "B-02")


def test_nul_and_other_control_characters_are_removed_on_the_way_in(warehouse_user, warehouse, skus):
    response = upload(warehouse_user, "stock.csv", (HEADER + "sh,TEA-1,9,A-01\x00\x0b\u202e\n").encode())

    assert response.status_code == 302
    assert StockLevel.objects.get(warehouse=warehouse, sku__code="TEA-1").location == "A-01"
