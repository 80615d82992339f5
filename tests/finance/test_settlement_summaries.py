"""Settlement files held against their own footer or summary: Alipay's closing
lines, WeChat Pay's summary block, Amazon's summary row. A file cut short or
edited by hand is refused whole, naming what the footer says and what the rows
add up to; a format that never carries a summary (Shopify) is read as it is.
Fees are kept at the precision the platform gives (WeChat's 0.00020), so that
a day's fees add up to the bill's own total, while orders match to the cent."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.files import FileProblem
from finance import services as finance
from finance.models import MatchClass, SettlementLine
from finance.reconciliation import reconciliation_workbook
from orders import services
from orders.models import OrderStatus, PaymentMethod, Platform
from orders.services import LineInput
from tests.factories import ChannelFactory
from tests.flow import snapshot
from tests.samples import SAMPLES

from .settlement_files import AlipayRow, alipay_file, shopify_file, wechat_file

pytestmark = pytest.mark.django_db
WECHAT_SAMPLE = SAMPLES / "wechatpay_v3_tradebill_ALL_gunsluo.csv"
AMAZON_SAMPLE = SAMPLES / "amazon_settlement_flatfile_v1_legacy_mws-rs.tsv"


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0) - timedelta(hours=1)


def refused(source, data) -> str:
    before = snapshot()
    with pytest.raises(FileProblem) as refusal:
        finance.settlement_import(actor=None, source=source, file=data, file_name="file.csv")
    assert snapshot() == before  # nothing written
    return str(refusal.value)


def _statement(now) -> list[AlipayRow]:
    return [
        AlipayRow("20260001", "T200P1001", now, income="19.80"),
        AlipayRow("20260002", "T200P1002", now, income="25.00"),
        AlipayRow("20260003", "T200P1001", now, expense="0.99", business_type="技术服务费"),
    ]


# --- Alipay -----------------------------------------------------------------------------------------------------


def test_an_alipay_statement_whose_rows_add_up_to_its_closing_lines_imports(now):
    data = alipay_file(_statement(now))
    assert "#支出合计：1笔，共0.99元" in data.decode("gbk") and "#收入合计：2笔，共44.80元" in data.decode("gbk")

    assert finance.settlement_import(actor=None, source="alipay", file=data).new_lines == 3


def test_an_alipay_statement_cut_short_is_refused(now):
    whole = alipay_file(_statement(now)).decode("gbk").split("\r\n")
    cut = "\r\n".join(whole[:7]) + "\r\n"  # the preamble, the header and two rows: the download stopped there

    message = refused("alipay", cut.encode("gbk"))

    assert "Nothing was imported" in message
    assert "ends without its closing lines (#收入合计, #支出合计)" in message and "cut short" in message


def test_an_alipay_statement_that_disagrees_with_its_closing_lines_is_refused_naming_both(now):
    footer = [
        "#-----------------------------------------账务明细列表结束------------------------------------",
        "#支出合计：1笔，共0.99元",
        "#收入合计：3笔，共64.80元",  # a row of 20.00 was deleted by hand
        "#导出时间：[2026年07月01日 09:00:00]",
    ]

    message = refused("alipay", alipay_file(_statement(now), footer=footer))

    assert "#收入合计: the file's summary says 3 entries, its lines add up to 2 entries." in message
    assert "#收入合计: the file's summary says 64.80 CNY, its lines add up to 44.80 CNY." in message
    assert "#支出合计" not in message  # that side ties out


# --- WeChat Pay -------------------------------------------------------------------------------------------------


def test_the_real_wechat_bill_with_a_trade_cut_out_is_refused_naming_its_summary():
    lines = WECHAT_SAMPLE.read_bytes().split(b"\n")
    del lines[3]  # the third trade; the summary still says 3 trades of 0.03

    message = refused("wechat", b"\n".join(lines))

    assert "总交易单数: the file's summary says 3, its lines add up to 2." in message
    assert "应结订单总金额: the file's summary says 0.03, its lines add up to 0.02." in message
    assert "订单总金额: the file's summary says 0.03, its lines add up to 0.02." in message
    assert "手续费总金额" not in message  # 0.00000 three times is 0.00000 twice


def test_the_real_wechat_bill_without_its_summary_block_is_refused_as_cut_short():
    lines = WECHAT_SAMPLE.read_bytes().rstrip(b"\n").split(b"\n")

    message = refused("wechat", b"\n".join(lines[:-2]) + b"\n")

    assert "ends without its summary (总交易单数, 应结订单总金额, …)" in message


def test_a_wechat_summary_that_is_not_a_number_is_refused(now):
    summary = ["总交易单数,应结订单总金额,手续费总金额", "`1,`十九块八,`0.00000"]
    data = wechat_file([{"at": now, "transaction_id": "4200001", "order": "W-1", "amount": "19.80"}], summary=summary)

    assert "应结订单总金额: “十九块八” is not a number." in refused("wechat", data)


# --- Amazon and Shopify -----------------------------------------------------------------------------------------


def test_the_real_amazon_excerpt_is_refused_because_its_rows_do_not_add_up_to_the_settlements_total():
    message = refused("amazon", AMAZON_SAMPLE)

    assert "total-amount: the file's summary says 16630.13 USD, its lines add up to 26.99 USD." in message


def test_a_shopify_transactions_export_has_no_summary_and_imports_as_it_is(now):
    data = shopify_file([(now, "charge", "#1001", "19.80", "0.87", "18.93")])

    assert finance.settlement_import(actor=None, source="shopify", file=data).new_lines == 1


# --- precision --------------------------------------------------------------------------------------------------


@pytest.fixture
def own_shop(db):
    return ChannelFactory(code="miniapp", name="WeChat mini-program shop", platform=Platform.OTHER)


def _one_cent_trades(now, count: int) -> bytes:
    """``count`` trades of 0.01 CNY, each charged 0.00020 by WeChat (as a 2% merchant is)."""
    return wechat_file(
        [
            {"at": now, "transaction_id": f"42000{n:05d}", "order": f"S{n:05d}", "amount": "0.01", "fee": "0.00020"}
            for n in range(count)
        ]
    )


def test_wechat_fees_are_stored_as_wechat_gives_them_and_add_up_to_the_bills_summary(own_shop, clerk, sku, now):
    order = services.order_create(
        actor=clerk,
        channel=own_shop,
        lines=[LineInput(title="Test item", quantity=1, unit_price=Decimal("0.01"), sku=sku)],
        placed_at=now,
        platform_order_id="S00000",
    )
    services.order_mark_paid(actor=clerk, order_id=order.pk, method=PaymentMethod.WECHAT, reference="")
    data = _one_cent_trades(now, 3)
    assert data.decode().endswith("`3,`0.03,`0.00,`0.00,`0.00060,`0.03,`0.00\r\n")

    result = finance.settlement_import(actor=None, source="wechat", file=data)

    lines = SettlementLine.objects.filter(batch=result.batch).order_by("line_number")
    assert [(line.amount, line.fee, line.net) for line in lines] == [
        (Decimal("0.01"), Decimal("-0.00020"), Decimal("0.00980"))
    ] * 3
    assert sum(line.fee for line in lines) == Decimal("-0.00060")  # the summary's 手续费总金额
    # The order's money is to the cent: 0.01 paid, 0.01 settled, whatever the fee.
    assert (lines[0].order, lines[0].match_class, lines[0].expected) == (order, MatchClass.MATCHED, Decimal("0.01"))


def test_the_reconciliation_sheet_adds_fees_at_wechats_precision_and_rounds_the_sum_once(now):
    finance.settlement_import(actor=None, source="wechat", file=_one_cent_trades(now, 50))
    today = timezone.localdate()
    buffer = BytesIO()

    totals = reconciliation_workbook(source="wechat", date_from=today - timedelta(days=1), date_to=today, output=buffer)

    # 50 fees of 0.00020 are 0.01 (each one rounded to the cent first would make 0.00).
    assert totals.fees["CNY"] == Decimal("-0.01000")
    assert totals.settled("CNY") == {
        "gross": Decimal("0.50"),
        "refunds": Decimal("0.00"),
        "fees": Decimal("-0.01"),
        "other": Decimal("0.00"),
        "net": Decimal("0.49"),
    }
    buffer.seek(0)
    summary = load_workbook(buffer)["Summary"]
    rows = [[cell.value for cell in row] for row in summary.iter_rows()]
    settled = rows[[row[1] for row in rows].index("Gross sales") + 1]
    assert [settled[0], *(cents(value) for value in settled[1:6])] == [
        "CNY", Decimal("0.50"), Decimal("0.00"), Decimal("-0.01"), Decimal("0.00"), Decimal("0.49")
    ]
    (unknown,) = [row for row in rows if row[0] == "Order unknown" and row[1] == "CNY"]
    assert Decimal(str(unknown[4])) == Decimal("-0.01")  # the class's fees, added up at WeChat's precision


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_widest_fee_reads_back_digit_for_digit_on_either_database(now):
    """GOTCHAS 18: SQLite keeps a decimal as a REAL, exact to 15 digits; the fee field holds no more."""
    data = wechat_file([{"at": now, "transaction_id": "4200001", "order": "W-1", "amount": "0.01", "fee": "9999999999.99999"}])

    finance.settlement_import(actor=None, source="wechat", file=data)

    assert SettlementLine.objects.values_list("fee", "net").get() == (Decimal("-9999999999.99999"), Decimal("-9999999999.98999"))
