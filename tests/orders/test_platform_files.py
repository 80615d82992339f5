"""Reading platform files: encodings, spreadsheet quirks, headers, values."""

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core.files import (
    FileProblem,
    comment_line,
    detect_encoding,
    normalise_header,
    parse_amount,
    parse_datetime,
    parse_quantity,
    read_rows,
)

TAOBAO_LIKE = '订单编号,买家会员名,"收货地址 ","联系电话 ",买家留言\r\n="1234567890123",小明,上海 上海市 浦东新区 世纪大道1号,\'13800138000,"第一行\r\n第二行"\r\n'


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("gbk", b""), ("gb18030", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf")],
    ids=["gbk", "gb18030", "utf-8", "utf-8-bom"],
)
def test_a_chinese_export_reads_the_same_in_every_encoding_the_platforms_use(encoding, prefix):
    data = prefix + TAOBAO_LIKE.encode(encoding)

    rows = list(read_rows(data, required=("订单编号", "收货地址")))

    assert len(rows) == 1
    row = rows[0]
    assert row.get("订单编号") == "1234567890123"  # ="..." text formula undone
    assert row.get(normalise_header("联系电话 ")) == "13800138000"  # leading ' removed
    assert row.get("收货地址") == "上海 上海市 浦东新区 世纪大道1号"  # header had a trailing space
    assert row.get("买家留言") == "第一行\r\n第二行"  # quoted multi-line note kept whole
    assert row.line == 2


def test_encoding_is_decided_on_the_whole_file_not_its_first_bytes():
    # 2 MB of ASCII, then one GBK row: a sample-based guess would say UTF-8.
    ascii_part = "订单编号,备注\n".encode("gbk") + b"".join(b"%d,plain\n" % n for n in range(200_000))
    data = ascii_part + "999,中文备注\n".encode("gbk")

    assert detect_encoding(io.BytesIO(data)) == "gb18030"
    last = list(read_rows(data, required=("订单编号",)))[-1]
    assert last.get("备注") == "中文备注"


def test_tab_separated_files_are_recognised_without_being_told():
    data = b"amazon-order-id\tsku\tquantity\n111-222\tTEA-1\t2\n"

    (row,) = read_rows(data, required=("amazon-order-id",))

    assert row.cells == {"amazon-order-id": "111-222", "sku": "TEA-1", "quantity": "2"}


def test_alipay_preamble_and_footer_lines_are_skipped_and_tab_terminated_cells_cleaned():
    text = (
        "#支付宝账务明细查询\n#账号：[20880000000156]\n#起始日期：[2012年12月29日 00:00:00]\n"
        "#-----------------------------------------账务明细列表----------------------------------------\n"
        "账务流水号,业务流水号,商户订单号,收入金额（+元）\n"
        "54632446537371\t,2012122923922029\t,T200P1234567890\t,100.00\n"
        "#-----------------------------------------账务明细列表结束------------------------------------\n"
        "#收入合计：1笔，共100.00元\n"
    )

    rows = list(read_rows(text.encode("gbk"), required=("账务流水号", "收入金额(+元)"), skip=comment_line))

    assert [row.cells for row in rows] == [
        {"账务流水号": "54632446537371", "业务流水号": "2012122923922029", "商户订单号": "T200P1234567890", "收入金额(+元)": "100.00"}
    ]


def test_a_summary_block_ends_the_data():
    data = "`交易时间,`商户订单号\n`2024-01-01 10:00:00,`A1\n总交易单数,应结订单总金额\n`1,`0.01\n".encode()

    rows = list(read_rows(data, required=("交易时间",), stop=lambda cells: cells[0] == "总交易单数"))

    assert [row.get("商户订单号") for row in rows] == ["A1"]


def test_a_missing_required_column_is_named():
    data = "订单编号,买家会员名\n1,x\n".encode("gbk")

    with pytest.raises(FileProblem, match="收货地址"):
        list(read_rows(data, required=("订单编号", "收货地址")))


@pytest.mark.parametrize("data", [b"", io.BytesIO(b"")], ids=["bytes", "file"])
def test_an_empty_file_says_so(data):
    with pytest.raises(FileProblem, match="empty"):
        list(read_rows(data, required=("订单编号",)))


def test_an_old_xls_file_is_refused_with_what_to_do():
    with pytest.raises(FileProblem, match="xlsx"):
        list(read_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100))


def test_xlsx_rows_come_out_as_text_with_ids_kept_whole():
    book = Workbook()
    sheet = book.active
    sheet.append(["订单编号", "数量", "付款时间", "备注"])
    sheet.append([1234567890123, 2.0, datetime(2024, 5, 1, 8, 30), None])
    buffer = io.BytesIO()
    book.save(buffer)

    (row,) = read_rows(buffer.getvalue(), required=("订单编号",))

    assert row.cells == {"订单编号": "1234567890123", "数量": "2", "付款时间": "2024-05-01 08:30:00", "备注": ""}


def test_a_damaged_spreadsheet_is_reported_not_crashed_on():
    with pytest.raises(FileProblem, match="cannot be opened"):
        list(read_rows(b"PK\x03\x04 not really a zip"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", Decimal("12.50")),
        ("¥1,299.00", Decimal("1299.00")),
        ("￥ 88", Decimal("88")),
        ("１２.３", Decimal("12.3")),  # full-width digits
        ("-3.10", Decimal("-3.10")),
        ("(5.00)", Decimal("-5.00")),
        ("$19.99", Decimal("19.99")),
    ],
)
def test_amounts_are_exact_decimals(text, expected):
    assert parse_amount(text) == expected


def test_eu_amounts_use_a_decimal_comma_when_told():
    assert parse_amount("1.299,50", decimal_comma=True) == Decimal("1299.50")


@pytest.mark.parametrize("text", ["abc", "12.3.4", "NaN", "Infinity"])
def test_non_numeric_amounts_raise_a_clear_error(text):
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(text)


def test_empty_amount_is_the_blank_value():
    assert parse_amount("  ", blank=Decimal("0")) == Decimal("0")


@pytest.mark.parametrize(
    ("text", "expected_utc"),
    [
        ("2025-12-06 10:37:33 -0500", datetime(2025, 12, 6, 15, 37, 33, tzinfo=UTC)),  # Shopify
        ("2024-03-01T08:00:00+00:00", datetime(2024, 3, 1, 8, 0, tzinfo=UTC)),  # Amazon
        ("2024-03-01 08:00:00", datetime(2024, 3, 1, 0, 0, tzinfo=UTC)),  # Taobao: Shanghai time
        ("2012年12月29日 00:00:00", datetime(2012, 12, 28, 16, 0, tzinfo=UTC)),  # Alipay
        ("2024/3/1 8:05", None),
        ("2015-10-12 08:19:44 UTC", datetime(2015, 10, 12, 8, 19, 44, tzinfo=UTC)),  # Amazon settlement
    ],
)
def test_platform_timestamps_become_aware_datetimes(text, expected_utc):
    parsed = parse_datetime(text)
    assert parsed.tzinfo is not None
    if expected_utc is not None:
        assert parsed == expected_utc
    else:
        assert parsed.utcoffset() == timedelta(hours=8)


def test_a_time_without_offset_can_be_read_in_another_zone():
    parsed = parse_datetime("2024-03-01 08:00:00", tz=timezone(timedelta(hours=-5)))
    assert parsed == datetime(2024, 3, 1, 13, 0, tzinfo=UTC)


def test_a_non_date_raises_a_clear_error():
    with pytest.raises(ValueError, match="not a date"):
        parse_datetime("yesterday")


@pytest.mark.parametrize(("text", "expected"), [("2", 2), ("2.0", 2), (" 3 ", 3)])
def test_quantities_are_whole_positive_numbers(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "two", ""])
def test_bad_quantities_are_refused(text):
    with pytest.raises(ValueError, match="not a quantity"):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("订单编号,备注\n1,中文\n".encode("utf-16-le"), "utf-16-le"),
        ("订单编号,备注\n1,中文\n".encode("utf-16-be"), "utf-16-be"),
        (b"a,b\n1,2\n", "utf-8-sig"),  # a tiny file has no zero bytes to go by
    ],
    ids=["utf-16-le", "utf-16-be", "tiny"],
)
def test_utf16_without_a_bom_is_told_by_its_zero_bytes(data, encoding):
    assert detect_encoding(io.BytesIO(data)) == encoding
