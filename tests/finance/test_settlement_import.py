"""Importing settlement files: every source's real bytes (the samples in
tests/samples and files written here, GBK where Alipay writes GBK), each
line matched and classed, the same file twice changing nothing, broken files
refused whole with the lines that are wrong, closed periods respected."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from finance import services as finance
from finance.models import MatchClass, Refund, SettlementBatch, SettlementLine
from orders.models import PaymentMethod
from orders import services
from core.errors import DomainError, NotPermitted
from core.files import FileProblem
from orders.models import OrderStatus, Platform
from orders.services import LineInput
from tests.factories import ChannelFactory
from tests.flow import snapshot
from tests.handles import no_file_left_open
from tests.samples import SAMPLES

from .settlement_files import AlipayRow, alipay_file, amazon_v2_file, shopify_file, wechat_file

S = OrderStatus
pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def classes(batch) -> list[tuple]:
    return list(
        SettlementLine.objects.filter(batch=batch)
        .order_by("line_number", "id")
        .values_list("line_number", "match_class", "order_reference", "amount", "difference")
    )


def import_file(source, data, *, actor=None, name="file.csv"):
    return finance.settlement_import(actor=actor, source=source, file=data, file_name=name)


@pytest.fixture
def taobao_orders(order_in_status):
    """Three Taobao orders of 19.80: 1001 and 1002 paid, 1003 cancelled with its refund paid."""
    paid = [order_in_status(S.SHIPPED, platform_order_id=pid) for pid in ("1001", "1002")]
    cancelled = order_in_status(S.CANCELLED, platform_order_id="1003")
    return {**{o.platform_order_id: o for o in paid}, "1003": cancelled}


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0) - timedelta(hours=1)


def test_alipay_statement_lines_are_matched_to_orders_refunds_and_fees(taobao_orders, finance_user, now):
    data = alipay_file(
        [
            AlipayRow("20260001", "T200P1001", now, income="19.80"),
            AlipayRow("20260002", "T200P1002", now, income="19.00"),
            AlipayRow("20260003", "T200P9999", now, income="5.00"),
            AlipayRow("20260004", "T200P1003", now, expense="19.80", business_type="交易退款"),
            AlipayRow("20260005", "T200P1001", now, expense="0.99", business_type="技术服务费"),
            AlipayRow("20260006", "", now, expense="1000.00", business_type="提现"),
            AlipayRow("20260001", "T200P1001", now, income="19.80"),
            AlipayRow("20260008", "T200P1001", now, income="19.80"),
        ]
    )

    result = import_file("alipay", data, actor=finance_user, name="20260701_账务明细.csv")

    assert result.created and result.new_lines == 8
    M = MatchClass
    assert classes(result.batch) == [
        (6, M.MATCHED, "1001", Decimal("19.80"), None),
        (7, M.AMOUNT_DIFFERS, "1002", Decimal("19.00"), Decimal("-0.80")),
        (8, M.ORDER_UNKNOWN, "9999", Decimal("5.00"), None),
        (9, M.MATCHED, "1003", Decimal("-19.80"), None),
        (10, M.FEE, "1001", Decimal("-0.99"), None),
        (11, M.OTHER, "", Decimal("-1000.00"), None),
        (12, M.DUPLICATE, "1001", Decimal("19.80"), None),  # the file lists ledger entry 20260001 twice
        (13, M.DUPLICATE, "1001", Decimal("19.80"), Decimal("19.80")),  # a second payout for one order
    ]
    lines = {line.line_number: line for line in SettlementLine.objects.filter(batch=result.batch)}
    assert lines[6].order == taobao_orders["1001"] and lines[6].expected == Decimal("19.80")
    assert lines[9].refund == Refund.objects.get(order=taobao_orders["1003"])
    assert lines[10].order == taobao_orders["1001"]  # a fee is linked to its order when it names one
    assert result.by_class == {M.MATCHED: 2, M.AMOUNT_DIFFERS: 1, M.ORDER_UNKNOWN: 1, M.FEE: 1, M.OTHER: 1, M.DUPLICATE: 2}
    assert (result.batch.imported_by, result.batch.file_name, result.batch.line_count) == (
        finance_user,
        "20260701_账务明细.csv",
        8,
    )


def test_the_same_file_imported_again_changes_nothing(taobao_orders, now):
    data = alipay_file([AlipayRow("20260001", "T200P1001", now, income="19.80")])
    first = import_file("alipay", data)
    before = snapshot()

    again = import_file("alipay", data)

    assert snapshot() == before
    assert (again.created, again.batch) == (False, first.batch)
    assert "imported already" in again.message


def test_a_file_imported_by_its_path_is_closed_afterwards_imported_or_refused(taobao_orders, tmp_path, now):
    good, broken = tmp_path / "good.csv", tmp_path / "broken.csv"
    good.write_bytes(alipay_file([AlipayRow("20260001", "T200P1001", now, income="19.80")]))
    broken.write_bytes(alipay_file([AlipayRow("20260002", "T200P1002", now, income="x")]))

    with no_file_left_open():
        assert finance.settlement_import(actor=None, source="alipay", file=good).new_lines == 1
        assert not finance.settlement_import(actor=None, source="alipay", file=good).created
        with pytest.raises(FileProblem):
            finance.settlement_import(actor=None, source="alipay", file=str(broken))


def test_a_later_file_repeating_earlier_lines_adds_only_its_new_ones(taobao_orders, now):
    import_file("alipay", alipay_file([AlipayRow("20260001", "T200P1001", now, income="19.80")]))

    result = import_file(
        "alipay",
        alipay_file(
            [AlipayRow("20260001", "T200P1001", now, income="19.80"), AlipayRow("20260002", "T200P1002", now, income="19.80")]
        ),
    )

    assert (result.new_lines, result.skipped_lines) == (1, 1)
    assert SettlementLine.objects.filter(external_id="20260001").count() == 1
    assert SettlementLine.objects.get(external_id="20260002").match_class == MatchClass.MATCHED


def test_a_re_export_with_only_lines_imported_before_adds_no_file(taobao_orders, now):
    import_file("alipay", alipay_file([AlipayRow("20260001", "T200P1001", now, income="19.80")]))
    before = snapshot()

    # Same lines, another export time in the footer: other bytes, nothing new.
    result = import_file("alipay", alipay_file([AlipayRow("20260001", "T200P1001", now, income="19.80")]).replace(b"09:00", b"10:00"))

    assert (result.created, result.skipped_lines) == (False, 1)
    assert snapshot() == before


def test_an_alipay_file_in_utf8_reads_the_same(taobao_orders, now):
    result = import_file("alipay", alipay_file([AlipayRow("1", "T200P1001", now, income="19.80")], encoding="utf-8"))

    assert classes(result.batch)[0][1] == MatchClass.MATCHED


# --- WeChat Pay ---------------------------------------------------------------------------------------------------


@pytest.fixture
def own_shop(db):
    return ChannelFactory(code="miniapp", name="WeChat mini-program shop", platform=Platform.OTHER)


def test_the_real_wechat_trade_bill_is_read_and_matched_by_merchant_order_id_or_transaction_id(
    order_in_status, own_shop, clerk, sku
):
    one_cent = [LineInput(title="Test item", quantity=1, unit_price=Decimal("0.01"), sku=sku)]
    by_order_id = services.order_create(
        actor=clerk, channel=own_shop, lines=one_cent, placed_at=timezone.now(), platform_order_id="S20210128170702357723"
    )
    services.order_mark_paid(actor=clerk, order_id=by_order_id.pk, method=PaymentMethod.WECHAT, reference="")
    by_payment = order_in_status(S.PAID, lines=one_cent)
    by_payment.payments.update(method=PaymentMethod.WECHAT, reference="4200000910202101282955148400")

    result = import_file("wechat", SAMPLES / "wechatpay_v3_tradebill_ALL_gunsluo.csv")

    assert result.new_lines == 3  # the summary block is not a line
    lines = SettlementLine.objects.filter(batch=result.batch).order_by("line_number")
    assert [(line.external_id, line.match_class, line.order, line.amount, line.fee) for line in lines] == [
        ("4200000925202101284997714292", MatchClass.MATCHED, by_order_id, Decimal("0.01"), Decimal("0.00")),
        ("4200000910202101282955148400", MatchClass.MATCHED, by_payment, Decimal("0.01"), Decimal("0.00")),
        ("4200000926202101281412639609", MatchClass.ORDER_UNKNOWN, None, Decimal("0.01"), Decimal("0.00")),
    ]
    assert lines[0].occurred_at == datetime(2021, 1, 28, 17, 7, 11, tzinfo=SHANGHAI)


def test_wechat_refunds_match_to_the_cent_and_fees_keep_wechats_precision(order_in_status, own_shop, now):
    order = order_in_status(S.CANCELLED, cancelled_from=S.PAID, platform_order_id="W-1")
    order.payments.update(method=PaymentMethod.WECHAT)
    data = wechat_file(
        [
            {"at": now, "transaction_id": "4200001", "order": "W-1", "amount": "19.80", "fee": "0.11880"},
            {
                "at": now,
                "transaction_id": "4200001",
                "order": "W-1",
                "status": "REFUND",
                "amount": "19.80",
                "refund_id": "5030001",
                "refund_amount": "19.80",
                "fee": "-0.11880",
            },
        ]
    )

    result = import_file("wechat", data)

    sale, refund = SettlementLine.objects.filter(batch=result.batch).order_by("line_number")
    assert (sale.match_class, sale.amount, sale.fee, sale.net) == (
        MatchClass.MATCHED,
        Decimal("19.80"),
        Decimal("-0.11880"),
        Decimal("19.68120"),
    )
    assert (refund.external_id, refund.match_class, refund.amount, refund.fee) == (
        "refund:5030001",
        MatchClass.MATCHED,
        Decimal("-19.80"),
        Decimal("0.11880"),
    )


# --- Shopify and Amazon -----------------------------------------------------------------------------------------


@pytest.fixture
def shopify(db):
    return ChannelFactory(code="shopify-us", name="Shopify US", platform=Platform.SHOPIFY, default_currency="USD")


def test_shopify_payments_charges_refunds_and_adjustments(order_in_status, shopify, now):
    order = order_in_status(S.SHIPPED, platform_order_id="#1001")
    order.refresh_from_db  # noqa: B018 - the order is read again below, not refreshed (protected status)
    type(order).objects.filter(pk=order.pk).update(channel=shopify, currency="USD")
    data = shopify_file(
        [
            (now, "charge", "#1001", "19.80", "0.87", "18.93"),
            (now, "charge", "#1002", "25.00", "1.03", "23.97"),
            (now, "adjustment", "", "-3.00", "0.00", "-3.00"),
        ]
    )

    result = import_file("shopify", data)

    lines = list(SettlementLine.objects.filter(batch=result.batch).order_by("line_number"))
    assert [(line.match_class, line.currency, line.amount, line.fee, line.net) for line in lines] == [
        (MatchClass.MATCHED, "USD", Decimal("19.80"), Decimal("-0.87"), Decimal("18.93")),
        (MatchClass.ORDER_UNKNOWN, "USD", Decimal("25.00"), Decimal("-1.03"), Decimal("23.97")),
        (MatchClass.OTHER, "USD", Decimal("-3.00"), Decimal("0.00"), Decimal("-3.00")),
    ]
    assert lines[0].occurred_at == now


def test_the_real_legacy_amazon_v1_settlement_is_read_as_one_line_per_transaction(order_in_status):
    order = order_in_status(
        S.SHIPPED,
        platform_order_id="112-8095165-5463447",
        lines=[LineInput(title="Edifier P270", quantity=1, unit_price=Decimal("27.99"), sku=None, platform_sku_code="TEA-1")],
    )
    type(order).objects.filter(pk=order.pk).update(
        channel=ChannelFactory(code="amazon-us", platform=Platform.AMAZON, default_currency="USD"), currency="USD"
    )

    # The sample is an excerpt: its summary's total (16630.13) is the whole settlement's; here it is the excerpt's.
    sample = (SAMPLES / "amazon_settlement_flatfile_v1_legacy_mws-rs.tsv").read_bytes()
    result = import_file("amazon", sample.replace(b"\t16630.13\t", b"\t26.99\t"))

    (line,) = SettlementLine.objects.filter(batch=result.batch)
    # The quantity row, the principal and the FBA fee of one order: one line.
    assert (line.match_class, line.order_id, line.amount, line.fee, line.net, line.currency) == (
        MatchClass.MATCHED,
        order.pk,
        Decimal("27.99"),
        Decimal("-1.00"),
        Decimal("26.99"),
        "USD",
    )
    assert line.occurred_at == datetime(2015, 12, 2, 4, 15, 26, tzinfo=ZoneInfo("UTC"))


def test_an_eu_amazon_v2_settlement_with_decimal_commas(now):
    posted = now.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S UTC")
    data = amazon_v2_file(
        [
            ("Order", "305-1234567-1234567", "ItemPrice", "Principal", "95,00", posted),
            ("Order", "305-1234567-1234567", "ItemPrice", "Shipping", "4,99", posted),
            ("Order", "305-1234567-1234567", "ItemFees", "Commission", "-14,25", posted),
            ("Order", "305-1234567-1234567", "Promotion", "Principal", "-5,00", posted),
            ("other-transaction", "", "other-transaction", "Subscription Fee", "-39,00", posted),
        ],
        total="41,74",
        currency="EUR",
    )

    result = import_file("amazon", data)

    sale, subscription = SettlementLine.objects.filter(batch=result.batch).order_by("line_number")
    assert (sale.match_class, sale.amount, sale.fee, sale.currency) == (
        MatchClass.ORDER_UNKNOWN,
        Decimal("94.99"),
        Decimal("-14.25"),
        "EUR",
    )
    assert (subscription.match_class, subscription.amount) == (MatchClass.FEE, Decimal("-39.00"))
    assert result.created  # 94.99 − 14.25 − 39.00 = 41.74, as the summary says


# --- broken files --------------------------------------------------------------------------------------------


def _alipay_with(cell_from: str, cell_to: str, now) -> bytes:
    rows = [AlipayRow(str(n), "T200P1001", now, income="19.80") for n in range(1, 4)]
    data = alipay_file(rows).decode("gbk")
    lines = data.split("\r\n")
    lines[6] = lines[6].replace(cell_from, cell_to)  # the second data row, line 7 of the file
    return "\r\n".join(lines).encode("gbk")


@pytest.mark.parametrize(
    ("source", "broken", "message"),
    [
        ("alipay", lambda now: b"", "empty"),
        ("alipay", lambda now: "随便一些文字\n不是账单\n".encode("gbk"), "No header row"),
        ("alipay", lambda now: _alipay_with("19.80", "十九块八", now), r"line 7: 收入金额.*not an amount"),
        ("alipay", lambda now: _alipay_with(timezone.localtime(now).strftime("%Y-%m-%d"), "昨天", now), r"line 7: 发生时间.*not a date"),
        ("alipay", lambda now: (SAMPLES / "wechatpay_v3_tradebill_ALL_gunsluo.csv").read_bytes(), "lacks the required columns"),
        ("alipay", lambda now: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, r"\.xls"),
        ("alipay", lambda now: alipay_file([AlipayRow("1", "T200P1001", now, income="19.80")])[:-20] + b"\xb6", "cannot be read as gb18030"),
        ("wechat", lambda now: wechat_file([{"at": now, "transaction_id": "", "order": "X", "amount": "1.00"}]), "微信订单号 is empty"),
        ("amazon", lambda now: amazon_v2_file([], total="0.00").split(b"\n", 2)[0] + b"\n" + amazon_v2_file(
            [("Order", "1", "ItemPrice", "Principal", "1.00", "2026-06-01 00:00:00 UTC")], total="1.00").split(b"\n", 2)[2],
         "summary row"),
        ("amazon", lambda now: b"settlement-id\ttransaction-type\torder-id\tfoo\n1\tOrder\t2\t3\n", "neither amount-type"),
        ("shopify", lambda now: shopify_file([(now, "charge", "#1", "abc", "0.10", "0.90")]), "Amount.*not an amount"),
    ],
    ids=[
        "empty",
        "not-a-statement",
        "bad-amount",
        "bad-date",
        "wechat-file-as-alipay",
        "old-xls",
        "truncated-gbk",
        "wechat-no-transaction-id",
        "amazon-no-summary",
        "amazon-unknown-layout",
        "shopify-bad-amount",
    ],
)
def test_a_broken_file_is_refused_whole_with_what_is_wrong(taobao_orders, now, source, broken, message):
    before = snapshot()

    with pytest.raises(FileProblem, match=message):
        import_file(source, broken(now))

    assert snapshot() == before


def test_every_bad_line_is_reported_not_just_the_first(now):
    rows = [AlipayRow(str(n), "T200P1", now, income="x" if n % 2 else "1.00") for n in range(1, 50)]

    with pytest.raises(FileProblem) as refused:
        import_file("alipay", alipay_file(rows))

    assert "25 lines cannot be used" in str(refused.value) and "… and 5 more" in str(refused.value)
    assert not SettlementBatch.objects.exists()


def test_lines_dated_in_a_closed_period_refuse_the_file(taobao_orders, finance_user):
    finance.period_close(actor=finance_user, year=2026, month=5, at=datetime(2026, 6, 2, tzinfo=SHANGHAI))
    data = alipay_file(
        [
            AlipayRow("1", "T200P1001", datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI), income="19.80"),
            AlipayRow("2", "T200P1002", datetime(2026, 5, 31, 23, 0, tzinfo=SHANGHAI), income="19.80"),
        ]
    )
    before = snapshot()

    with pytest.raises(FileProblem, match=r"line 7: dated 2026-05-31, in 2026-05, which Finance has closed"):
        import_file("alipay", data)

    assert snapshot() == before


@pytest.mark.parametrize("role", ["Clerk", "Warehouse", "Customer service"])
def test_only_finance_imports_settlement_files(make_user, role, now):
    with pytest.raises(NotPermitted):
        import_file("alipay", alipay_file([AlipayRow("1", "T200P1", now, income="1.00")]), actor=make_user(role))
    assert not SettlementBatch.objects.exists()


def test_an_unknown_source_is_refused(now):
    with pytest.raises(DomainError, match="Unknown settlement source"):
        import_file("paypal", b"x")


# --- the command ------------------------------------------------------------------------------------------------


def test_import_settlement_command_reports_the_classes(taobao_orders, tmp_path, now):
    path = tmp_path / "alipay.csv"
    path.write_bytes(alipay_file([AlipayRow("1", "T200P1001", now, income="19.80"), AlipayRow("2", "T200P42", now, income="1.00")]))
    out = StringIO()

    call_command("import_settlement", "--source", "alipay", str(path), stdout=out)
    call_command("import_settlement", "--source", "alipay", str(path), stdout=out)

    text = out.getvalue()
    assert "alipay.csv: 2 lines imported, 0 imported before." in text
    assert "Matched" in text and "Order unknown" in text
    assert "imported already" in text
    assert SettlementLine.objects.count() == 2


def test_import_settlement_command_fails_clearly_on_a_broken_file(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="empty"):
        call_command("import_settlement", "--source", "alipay", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_settlement", "--source", "alipay", str(tmp_path / "missing.csv"), stdout=StringIO())


def test_a_shopify_file_matches_only_the_orders_of_the_shop_it_is_from(order_in_status, shopify, now):
    """Shopify numbers every shop from #1001 (issue 10): a payout of the UK shop must not settle the US shop's #1001."""
    uk = ChannelFactory(code="shopify-uk", name="Shopify UK", platform=Platform.SHOPIFY, default_currency="GBP")
    us_order = order_in_status(S.SHIPPED, platform_order_id="#1001")
    type(us_order).objects.filter(pk=us_order.pk).update(channel=shopify, currency="USD")
    uk_order = order_in_status(S.SHIPPED, platform_order_id="#1001")
    type(uk_order).objects.filter(pk=uk_order.pk).update(channel=uk, currency="GBP")
    data = shopify_file([(now, "charge", "#1001", "19.80", "0.87", "18.93")])

    with pytest.raises(DomainError, match="Choose the shop"):
        import_file("shopify", data)
    result = finance.settlement_import(actor=None, source="shopify", file=data, file_name="uk.csv", channel=uk)

    line = SettlementLine.objects.get(batch=result.batch)
    assert line.order_id == uk_order.pk
    assert result.batch.channel == uk


def test_a_shop_of_another_platform_is_refused(taobao_orders, now):
    with pytest.raises(DomainError, match="is not a shop of"):
        finance.settlement_import(
            actor=None, source="shopify", file=shopify_file([]), file_name="x.csv", channel=ChannelFactory(platform=Platform.JD)
        )
