"""The streaming XLSX writer behind the reconciliation sheet, read back with openpyxl."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from finance.xlsx import Workbook, column_letters


class WriteOnly:
    """A response-like output: it can be written to, never sought."""

    def __init__(self):
        self.data = bytearray()

    def write(self, chunk):
        self.data += chunk
        return len(chunk)

    def flush(self):
        pass


def write_and_read(rows, *, headers=("Name", "Amount", "When"), output=None):
    output = output if output is not None else BytesIO()
    book = Workbook(output)
    sheet = book.sheet("Lines", headers, [20, 12, 17])
    for row in rows:
        sheet.append(row)
    sheet.append(["Total", Decimal("3.00")], bold=True)
    book.sheet("Second").append(["another sheet"])
    book.close()
    data = bytes(output.data) if isinstance(output, WriteOnly) else output.getvalue()
    return load_workbook(BytesIO(data))


def test_values_come_back_as_the_types_a_clerk_needs():
    book = write_and_read(
        [
            ["=SUM(A1:A9)", Decimal("12345678901.23"), datetime(2026, 3, 1, 9, 30)],
            ["  padded  ", Decimal("-0.05"), None],
            ["line\x00with\x1fcontrol <&> chars", 7, None],
        ]
    )

    assert book.sheetnames == ["Lines", "Second"]
    sheet = book["Lines"]
    assert [cell.value for cell in sheet[1]] == ["Name", "Amount", "When"]
    formula_like, amount, when = sheet[2]
    assert formula_like.value == "=SUM(A1:A9)" and formula_like.data_type == "s"  # text, never a formula
    assert amount.value == 12345678901.23 and amount.number_format == "0.00"
    assert when.value == datetime(2026, 3, 1, 9, 30) and when.number_format == "yyyy-mm-dd hh:mm"
    assert sheet["A3"].value == "  padded  " and sheet["B3"].value == -0.05 and sheet["C3"].value is None
    assert sheet["A4"].value == "linewithcontrol <&> chars" and sheet["B4"].value == 7
    assert sheet["A5"].font.b and sheet["B5"].font.b and sheet["B5"].number_format == "0.00"
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 20
    assert book["Second"]["A1"].value == "another sheet" and book["Second"].freeze_panes is None


def test_writes_to_an_output_that_cannot_seek():
    book = write_and_read([["one", Decimal("1.00"), None]], output=WriteOnly())

    assert book["Lines"]["A2"].value == "one"


def test_column_letters_past_z():
    assert [column_letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def _read(book: Workbook, output: BytesIO):
    book.close()
    return load_workbook(BytesIO(output.getvalue()))


def test_booleans_dates_aware_datetimes_and_non_finite_numbers_come_back_readable(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    output = BytesIO()
    book = Workbook(output)
    sheet = book.sheet("Values")
    aware = datetime(2026, 3, 1, 1, 30, tzinfo=ZoneInfo("UTC"))
    sheet.append([True, False, date(2026, 3, 1), aware, float("nan"), Decimal("NaN"), float("inf"), Decimal("1E+3")])

    cells = [cell.value for cell in _read(book, output)["Values"][1]]

    assert cells == [True, False, datetime(2026, 3, 1), datetime(2026, 3, 1, 9, 30), "nan", "NaN", "inf", 1000]


def test_sheet_titles_are_made_valid_and_unique():
    output = BytesIO()
    book = Workbook(output)
    for title in ["2026/07: [tmall]*?", "Lines", "lines", "L" * 40, "L" * 40, "'quoted'", "", "History", "\x0bVT"]:
        book.sheet(title).append(["x"])

    names = _read(book, output).sheetnames

    assert names == [
        "2026_07_ _tmall___",
        "Lines",
        "lines (2)",
        "L" * 31,
        "L" * 27 + " (2)",
        "quoted",
        "Sheet",
        "History (2)",
        "VT",
    ]


def test_a_control_character_in_text_never_breaks_the_file():
    output = BytesIO()
    book = Workbook(output)
    book.sheet("Lines").append(["留言\x0b\x1b\u202e末尾", "ok"])

    assert [cell.value for cell in _read(book, output)["Lines"][1]] == ["留言末尾", "ok"]
