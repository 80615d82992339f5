"""The reconciliation sheet, read back with openpyxl as a clerk's Excel would:
a summary and one sheet per class, amounts stored as numbers with a 0.00
format, and every total tying out — each sheet's total row with its rows, the
summary with the sheets, net with gross + refunds + fees + other."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from finance import services as finance
from finance.reconciliation import reconciliation_workbook
from orders.models import OrderStatus

from .settlement_files import AlipayRow, alipay_file

S = OrderStatus
pytestmark = pytest.mark.django_db
SHEETS = ["Summary", "Matched", "Amount differs", "Order unknown", "Duplicates", "Fees", "Other", "Not settled"]


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def period(order_in_status):
    """Settlement lines of every class dated today, one paid order left unsettled,
    and a line of last month that the period leaves out."""
    today = timezone.localdate()
    now = timezone.now() - timedelta(minutes=5)
    for pid in ("1001", "1002", "1004"):
        order_in_status(S.SHIPPED, platform_order_id=pid)
    order_in_status(S.CANCELLED, platform_order_id="1003")
    rows = [
        AlipayRow("L1", "T200P1001", now, income="19.80"),
        AlipayRow("L2", "T200P1002", now, income="19.00"),
        AlipayRow("L3", "T200P9999", now, income="5.55"),
        AlipayRow("L4", "T200P1003", now, expense="19.80", business_type="交易退款"),
        AlipayRow("L5", "T200P1001", now, expense="0.99", business_type="技术服务费"),
        AlipayRow("L6", '=HYPERLINK("http://x")', now, expense="30.00", business_type="提现"),
        AlipayRow("L1", "T200P1001", now, income="19.80"),
        AlipayRow("L0", "T200P1004", now - timedelta(days=40), income="1.00"),
    ]
    finance.settlement_import(actor=None, source="alipay", file=alipay_file(rows))
    return today - timedelta(days=1), today


def read_back(date_from, date_to):
    buffer = BytesIO()
    totals = reconciliation_workbook(source="alipay", date_from=date_from, date_to=date_to, output=buffer)
    buffer.seek(0)
    return load_workbook(buffer), totals


def data_rows(sheet):
    """(rows, total row): the rows under the header, the last one being the total."""
    rows = list(sheet.iter_rows(min_row=2))
    return rows[:-1], rows[-1]


def column(sheet, header):
    headers = [cell.value for cell in sheet[1]]
    return headers.index(header)


def test_the_workbook_has_a_summary_and_one_sheet_per_class(period):
    book, _totals = read_back(*period)

    assert book.sheetnames == SHEETS
    matched = book["Matched"]
    # One currency in the period: it is named on the total rows, not on every line.
    assert [cell.value for cell in matched[1]] == [
        "Date", "Platform transaction id", "Type", "Platform order", "Our order", "Amount", "Fee", "Net",
    ]
    assert [cell.value for cell in book["Amount differs"][1]][-3:] == ["Expected", "Difference", "Note"]
    assert sorted(row[column(matched, "Platform transaction id")].value for row in data_rows(matched)[0]) == ["L1", "L4"]
    assert [row[1].value for row in data_rows(book["Duplicates"])[0]] == ["L1"]


def test_amounts_are_numbers_formatted_to_the_cent(period):
    book, _totals = read_back(*period)

    differs = book["Amount differs"]
    (row,), total = data_rows(differs)
    amount, difference = row[column(differs, "Amount")], row[column(differs, "Difference")]
    assert isinstance(amount.value, (int, float)) and cents(amount.value) == Decimal("19.00")
    assert cents(difference.value) == Decimal("-0.80")
    assert amount.number_format == "0.00" and difference.number_format == "0.00"
    assert total[column(differs, "Amount")].number_format == "0.00"
    assert row[0].is_date


@pytest.mark.parametrize("name", SHEETS[1:7])
def test_each_class_sheet_total_ties_out_with_its_rows(period, name):
    book, _totals = read_back(*period)
    sheet = book[name]
    rows, total = data_rows(sheet)

    for header in ("Amount", "Fee", "Net"):
        index = column(sheet, header)
        if rows:
            assert sum(cents(row[index].value) for row in rows) == cents(total[index].value), header
    if rows:
        assert total[1].value == f"{len(rows)} line{'s' if len(rows) > 1 else ''} in CNY"
        for row in rows:
            amount, fee, net = (cents(row[column(sheet, h)].value) for h in ("Amount", "Fee", "Net"))
            assert amount + fee == net


def test_the_summary_ties_out_with_the_sheets(period):
    book, totals = read_back(*period)
    summary = [[cell.value for cell in row] for row in book["Summary"].iter_rows()]

    headline = next(row for row in summary if row[0] == "CNY")
    gross, refunds, fees, other, net = (cents(value) for value in headline[1:6])
    # 19.80 + 19.00 + 5.55 + 19.80 (duplicate) in; 19.80 refunded; 0.99 fee; 30.00 paid out.
    assert (gross, refunds, fees, other, net) == (
        Decimal("64.15"),
        Decimal("-19.80"),
        Decimal("-0.99"),
        Decimal("-30.00"),
        Decimal("13.36"),
    )
    assert gross + refunds + fees + other == net

    start = next(i for i, row in enumerate(summary) if row[0] == "Class")
    class_rows = {row[0]: row for row in summary[start + 1 : start + 7]}
    all_lines = summary[start + 7]
    assert all_lines[0] == "All lines"
    assert sum(row[2] for row in class_rows.values()) == all_lines[2] == 7
    assert sum(cents(row[5]) for row in class_rows.values()) == cents(all_lines[5]) == net
    for name, row in class_rows.items():
        sheet = book[{"Duplicate line": "Duplicates"}.get(name, name)]
        rows, total = data_rows(sheet)
        assert row[2] == len(rows), name
        if rows:
            assert cents(row[5]) == cents(total[column(sheet, "Net")].value), name

    not_settled = next(row for row in summary[start + 8 :] if row[1] == "CNY")
    rows, total = data_rows(book["Not settled"])
    assert not_settled[2] == len(rows) == 1  # order 1004: paid today, not in the file
    assert cents(not_settled[3]) == cents(total[5].value) == Decimal("19.80")
    assert totals.net["CNY"] == net


def test_lines_outside_the_period_are_left_out(period):
    date_from, date_to = period

    book, totals = read_back(date_from - timedelta(days=60), date_from - timedelta(days=20))

    assert [row[1].value for row in data_rows(book["Amount differs"])[0]] == ["L0"]
    assert totals.net["CNY"] == Decimal("1.00")


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text(period):
    book, _totals = read_back(*period)

    other = book["Other"]
    (row,), _total = data_rows(other)
    assert row[column(other, "Platform order")].value == '\'=HYPERLINK("http://x")'
    assert row[column(other, "Platform order")].data_type == "s"


def test_export_reconciliation_command_writes_the_file(period, tmp_path):
    date_from, date_to = period
    target = tmp_path / "alipay-reco.xlsx"
    out = StringIO()

    call_command(
        "export_reconciliation", "--source", "alipay", "--from", f"{date_from}", "--to", f"{date_to}", "-o", str(target),
        stdout=out,
    )

    assert load_workbook(target).sheetnames == SHEETS
    assert "CNY: gross 64.15, refunds -19.80, fees -0.99, other -30.00, net 13.36; 1 paid orders not settled" in out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-06-30"], "is not a date"),
        (["--from", "2026-06-30", "--to", "2026-06-01"], "before --from"),
        (["--from", "2026-06-01", "--to", "2026-06-30", "-o", "out.csv"], r"\.xlsx"),
    ],
)
def test_export_reconciliation_command_refuses_bad_arguments(arguments, message, tmp_path):
    if "-o" not in arguments:
        arguments = [*arguments, "-o", str(tmp_path / "x.xlsx")]
    with pytest.raises(CommandError, match=message):
        call_command("export_reconciliation", "--source", "alipay", *arguments, stdout=StringIO())


def test_a_period_in_two_currencies_is_summed_per_currency(tmp_path):
    from .settlement_files import amazon_v2_file

    posted = (timezone.now() - timedelta(minutes=5)).astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m-%d %H:%M:%S UTC")
    for settlement, currency, principal in (("1", "EUR", "95,00"), ("2", "USD", "27.99")):
        data = amazon_v2_file(
            [("Order", f"30{settlement}-1", "ItemPrice", "Principal", principal, posted),
             ("Order", f"30{settlement}-1", "ItemFees", "Commission", principal.replace("95,00", "-14,25").replace("27.99", "-4.20"), posted)],
            total=principal.replace("95,00", "80,75").replace("27.99", "23.79"),
            currency=currency,
            settlement_id=settlement,
        )
        finance.settlement_import(actor=None, source="amazon", file=data)
    today = timezone.localdate()
    buffer = BytesIO()

    totals = reconciliation_workbook(source="amazon", date_from=today - timedelta(days=1), date_to=today, output=buffer)

    book = load_workbook(BytesIO(buffer.getvalue()))
    unknown = book["Order unknown"]
    assert "Currency" in [cell.value for cell in unknown[1]]
    summary = {row[0]: row for row in book["Summary"].iter_rows(values_only=True) if row[0] in ("EUR", "USD")}
    assert cents(summary["EUR"][5]) == totals.net["EUR"] == Decimal("80.75")
    assert cents(summary["USD"][5]) == totals.net["USD"] == Decimal("23.79")
    totals_rows = [row for row in unknown.iter_rows(min_row=2, values_only=True) if row[0] == "Total"]
    assert sorted((row[1], cents(row[-2])) for row in totals_rows) == [
        ("1 line in EUR", Decimal("80.75")),
        ("1 line in USD", Decimal("23.79")),
    ]


def test_an_unsettled_orders_status_is_written_as_its_label(period):
    book, _totals = read_back(*period)

    (row,), _total = data_rows(book["Not settled"])

    assert row[column(book["Not settled"], "Status")].value == "Shipped"
