"""Files made to hurt, or in an encoding we do not read: refused at once with
what is wrong (never read as mojibake, never unpacked into gigabytes), or
read right; and a big spreadsheet goes to the background whatever its
``<dimension>`` says."""

import io
import re
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from core import files
from core.files import FileProblem, estimate_rows, read_rows
from orders import services
from orders.models import ImportStatus, Order, Platform

from . import platform_files as pf


def xlsx(rows: int, *, columns=("order_id", "title")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for number in range(rows):
        sheet.append([f"WEB-{number}", "茶"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, member: str, change) -> bytes:
    """The XLSX with one member's XML changed (``change(text) -> text``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == member:
                content = change(content.decode()).encode()
            target.writestr(item.filename, content)
    return out.getvalue()


def add_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item.filename, source.read(item.filename))
        target.writestr(name, content)
    return out.getvalue()


SST = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.mark.parametrize(
    ("shared_strings", "said"),
    [
        (SST + b"<si><t>" + b"A" * (80 << 20) + b"</t></si></sst>", "unpacks to more than 64 MB"),
        (SST + b"<si><t>a</t></si>" * 2_100_000 + b"</sst>", "2,000,000 different texts"),
    ],
    ids=["one huge text", "millions of texts"],
)
def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(shared_strings, said):
    bomb = add_member(xlsx(1), "xl/sharedStrings.xml", shared_strings)
    assert len(bomb) < 1 << 20  # a small upload …

    tracemalloc.start()
    with pytest.raises(FileProblem, match=said):
        list(read_rows(io.BytesIO(bomb)))
    with pytest.raises(FileProblem, match=said):
        estimate_rows(io.BytesIO(bomb))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert peak < 20 << 20  # … refused without unpacking it (it was 2.4 GB)


def test_a_sheet_that_unpacks_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(files, "XLSX_MAX_UNPACKED", 1 << 20)
    data = xlsx(30_000)

    with pytest.raises(FileProblem, match="sheet1.xml"):
        estimate_rows(io.BytesIO(data))


@pytest.mark.parametrize(
    "dimension",
    [lambda text: re.sub(r"<dimension [^>]*/>", "", text), lambda text: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:B2"', text)],
    ids=["no dimension", "a wrong dimension"],
)
def test_an_xlsx_is_sized_by_its_rows_whatever_its_dimension_says(settings, platform_channel, clerk, dimension):
    settings.ORDERDESK_IMPORT_TASK_ROWS = 500
    data = rewritten(xlsx(600), "xl/worksheets/sheet1.xml", dimension)

    batch = services.import_batch_create(
        actor=clerk, kind="orders", channel=platform_channel(Platform.B2B), files=[("big.xlsx", io.BytesIO(data))]
    )

    assert (batch.rows_total, batch.in_background) == (601, True)


JAPANESE = "order_id,placed_at,status,quantity,title,recipient\r\nJP-1,2024-06-01 09:30:00,paid,1,抹茶のお菓子です,やまだ たろう さん\r\n"
TRADITIONAL = "order_id,placed_at,status,quantity,title,recipient\r\nTW-1,2024-06-01 09:30:00,paid,1,高山烏龍茶禮盒,臺北市陳大文先生\r\n"


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (JAPANESE.encode("shift_jis"), "Shift-JIS"),
        (TRADITIONAL.encode("big5"), "Big5"),
        ("order_id,placed_at,status,quantity,title\r\nFR-1,2024-06-01,paid,1,Café crème brûlée à la française\r\n".encode("cp1252"), "UTF-8"),
    ],
    ids=["shift-jis", "big5", "cp1252"],
)
def test_a_file_in_an_encoding_we_do_not_read_is_refused_naming_it(platform_channel, skus, run_import, data, said):
    batch = run_import(platform_channel(Platform.B2B), ("orders.csv", data))

    assert batch.status == ImportStatus.FAILED
    assert said in batch.error and "UTF-8" in batch.error
    assert not Order.objects.exists()


def test_a_utf16_file_without_a_bom_is_read_as_utf16(platform_channel, skus, run_import):
    data = pf.generic_csv([pf.generic_row("WEB-16", recipient="周八")], encoding="utf-8").decode("utf-8")

    batch = run_import(platform_channel(Platform.B2B), ("orders.csv", data.encode("utf-16-le")))

    assert batch.created_count == 1, batch.error
    assert Order.objects.get().ship_name == "周八"


def test_a_column_named_twice_refuses_the_file_naming_it(platform_channel, skus, run_import):
    data = pf.generic_csv([pf.generic_row()]).decode("utf-8-sig").replace("recipient", "quantity", 1).encode()

    batch = run_import(platform_channel(Platform.B2B), ("orders.csv", data))

    assert batch.status == ImportStatus.FAILED
    assert "“quantity” is in the header twice" in batch.error
    assert not Order.objects.exists()


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, bytes(range(256)) * 8], ids=["png", "binary"])
def test_a_binary_file_is_refused_as_not_a_platform_export(platform_channel, run_import, data):
    batch = run_import(platform_channel(Platform.B2B), ("orders.csv", data))

    assert batch.status == ImportStatus.FAILED
    assert "export" in batch.error


def test_a_name_with_a_direction_override_is_imported_as_it_reads(platform_channel, skus, run_import):
    row = pf.generic_row("WEB-7", recipient="\u202e八周\u202c", title="茶\u2066礼盒\u2069")

    run_import(platform_channel(Platform.B2B), ("orders.csv", pf.generic_csv([row])))

    order = Order.objects.get()
    assert (order.ship_name, order.lines.get().title) == ("八周", "茶礼盒")


def test_the_preview_says_which_rows_lost_invisible_characters(platform_channel, skus, run_import, clerk, client):
    rows = [pf.generic_row("WEB-1", buyer_message="门口\x00"), pf.generic_row("WEB-2"), pf.generic_row("WEB-3", recipient="\u202e周八")]
    batch = run_import(platform_channel(Platform.B2B), ("orders.csv", pf.generic_csv(rows)), preview=True)
    client.force_login(clerk)

    page = client.get(reverse("admin:orders_importbatch_change", args=[batch.pk])).content.decode()

    assert batch.preview["cleaned"] == {"rows": 2, "lines": ["orders.csv:2", "orders.csv:4"]}
    assert "rows had invisible characters removed" in page and "orders.csv:2, orders.csv:4" in page
