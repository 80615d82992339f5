"""Settlement files as the platforms write them, byte for byte, for the tests:
Alipay's GBK account statement with its "#" preamble and footer and
tab-terminated text cells, WeChat Pay's backtick-prefixed trade bill with its
summary block, Shopify Payments' transactions export, Amazon's V2 flat file."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

ALIPAY_HEADER = "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注"


@dataclass
class AlipayRow:
    ledger_id: str
    merchant_order: str
    at: datetime
    income: str = ""
    expense: str = ""
    business_type: str = "交易付款"
    trade_no: str = ""
    remark: str = ""


def _amounts(cells: list[str]) -> list[Decimal]:
    return [Decimal(cell) for cell in cells if cell.replace(".", "").lstrip("-").isdigit() and Decimal(cell)]


def alipay_file(rows: list[AlipayRow], *, encoding="gbk", footer: list[str] | None = None) -> bytes:
    """``footer``: the closing "#" lines instead of the ones the rows add up to."""

    def local(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")

    incomes, expenses = _amounts([r.income for r in rows]), _amounts([r.expense for r in rows])
    lines = [
        "#支付宝账务明细查询",
        "#账号：[20880000000156]",
        "#起始日期：[2026年06月01日 00:00:00]   终止日期：[2026年07月01日 00:00:00]",
        "#-----------------------------------------账务明细列表----------------------------------------",
        ALIPAY_HEADER,
    ]
    for r in rows:
        # Text cells end with a tab before the comma; amounts do not.
        text = [r.ledger_id, r.trade_no or r.ledger_id[::-1], r.merchant_order, "商品", local(r.at), "buyer@example.com"]
        lines.append(
            ",".join(f"{cell}\t" for cell in text)
            + f",{r.income},{r.expense},1000.00,"
            + ",".join(f"{cell}\t" for cell in ("支付宝", r.business_type, r.remark))
        )
    if footer is None:
        footer = [
            "#-----------------------------------------账务明细列表结束------------------------------------",
            f"#支出合计：{len(expenses)}笔，共{sum(expenses, Decimal('0.00'))}元",
            f"#收入合计：{len(incomes)}笔，共{sum(incomes, Decimal('0.00'))}元",
            "#导出时间：[2026年07月01日 09:00:00]",
        ]
    lines += footer
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


WECHAT_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
    "手续费,费率,订单金额,申请退款金额,费率备注"
)


def wechat_file(rows: list[dict], *, summary: list[str] | None = None) -> bytes:
    """rows: at, transaction_id, order, status (SUCCESS/REFUND), amount, fee, refund_id, refund_amount.
    ``summary``: the summary block's lines instead of the one the rows add up to."""
    lines = [WECHAT_HEADER]
    settled = refunded = fees = ordered = Decimal("0.00")
    for r in rows:
        when = timezone.localtime(r["at"]).strftime("%Y-%m-%d %H:%M:%S")
        refund = r.get("status") == "REFUND"
        values = [
            when, "wx81be3101902f7cb2", "1601959334", "0", "", r["transaction_id"], r["order"], "ofyak5qR", "NATIVE",
            r.get("status", "SUCCESS"), "OTHERS", "CNY", "0.00" if refund else r["amount"], "0.00",
            r.get("refund_id", "0"), r.get("refund_id", "0"), r.get("refund_amount", "0.00"), "0.00",
            "ORIGINAL" if refund else "", "SUCCESS" if refund else "", "茶叶", "", r.get("fee", "0.00000"), "0.60%",
            r["amount"], r.get("refund_amount", "0.00"), "",
        ]
        lines.append(",".join(f"`{value}" for value in values))
        settled += Decimal(values[12])
        refunded += Decimal(values[16])
        fees += Decimal(values[22])
        ordered += Decimal(values[24])
    if summary is None:
        summary = [
            "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
            f"`{len(rows)},`{settled},`{refunded},`0.00,`{fees},`{ordered},`{refunded}",
        ]
    lines += summary
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


SHOPIFY_HEADER = (
    "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Available On,Amount,Fee,Net,"
    "Checkout,Payment Method Name,Presentment Amount,Presentment Currency,Currency"
)


def shopify_file(rows: list[tuple]) -> bytes:
    """rows: (at, type, order, amount, fee, net)."""
    lines = [SHOPIFY_HEADER]
    for at, kind, order, amount, fee, net in rows:
        when = at.astimezone(timezone.get_fixed_timezone(-240)).strftime("%Y-%m-%d %H:%M:%S -0400")
        card = kind in ("charge", "refund")
        lines.append(
            f"{when},{kind},{order},{'visa' if card else ''},{'online' if card else ''},paid,2026-06-20,2026-06-19,"
            f"{amount},{fee},{net},{'c1234' if card else ''},{'card' if card else ''},{amount.lstrip('-') if card else ''},"
            f"{'USD' if card else ''},USD"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


AMAZON_V2_HEADER = (
    "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\ttransaction-type\t"
    "order-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\tamount-type\tamount-description\tamount\t"
    "fulfillment-id\tposted-date\tposted-date-time\torder-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\t"
    "sku\tquantity-purchased"
)


def amazon_v2_file(rows: list[tuple], *, total: str, currency: str = "USD", settlement_id: str = "11223344") -> bytes:
    """rows: (transaction type, order id, amount type, description, amount, posted 'YYYY-MM-DD HH:MM:SS UTC')."""
    width = AMAZON_V2_HEADER.count("\t") + 1
    summary = [settlement_id, "2026-06-01 00:00:00 UTC", "2026-06-15 00:00:00 UTC", "2026-06-17 00:00:00 UTC", total, currency]
    lines = [AMAZON_V2_HEADER, "\t".join(summary + [""] * (width - len(summary)))]
    for kind, order, amount_type, description, amount, posted in rows:
        values = [
            settlement_id, "", "", "", "", "", kind, order, order, "", "SHIP-1" if kind == "Order" else "", "Amazon.com",
            amount_type, description, amount, "AFN", posted[:10], posted, "ITEM-1", "", "", "TEA-1", "1",
        ]
        lines.append("\t".join(values))
    return ("\n".join(lines) + "\n").encode("utf-8")
