"""Demo money for ``seed_demo``: B2B orders on payment terms (one approved on
account and partly paid, one held for credit review), the platforms'
settlement files for the demo's orders — Alipay's statement imported, the
Shopify and WeChat Pay files left in var/demo_settlement/ for a user to
import from the admin — and the demo's first month closed."""

import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.errors import DomainError
from finance import services
from finance.models import Refund, RefundStatus
from orders.models import PaymentMethod
from finance.money import to_cent
from inventory.models import SKU
from orders import services as order_services
from orders.models import Channel, Customer, Order, OrderStatus, Platform

OUT_DIR = Path(settings.BASE_DIR) / "var" / "demo_settlement"
ALIPAY_HEADER = "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注"
SETTLED_DAYS = 30


def _terms_orders(*, staff, now, rng) -> list[str]:
    """Two orders of the B2B customer with the smallest credit limit, on its payment terms."""
    customer = Customer.objects.filter(is_business=True, payment_terms_days__isnull=False).order_by("credit_limit").first()
    channel = Channel.objects.filter(platform=Platform.B2B).first()
    skus = list(SKU.objects.filter(is_active=True, code__startswith="TEA").order_by("code")[:3])
    if not (customer and channel and skus and customer.credit_limit):
        return []
    notes = []
    for share, days_ago in ((Decimal("0.45"), 6), (Decimal("0.75"), 1)):
        at = now - timedelta(days=days_ago, hours=rng.randint(1, 5))
        unit = Decimal("58.00")
        quantity = int((customer.credit_limit * share / unit / len(skus)).to_integral_value())
        order = order_services.order_create(
            actor=staff.clerk,
            channel=channel,
            lines=[order_services.LineInput(title=sku.name, quantity=quantity, unit_price=unit, sku=sku) for sku in skus],
            placed_at=at,
            platform_order_id=f"PO-{at:%Y%m%d}-{rng.randint(100, 999)}",
            source="manual",
            customer=customer,
            buyer_nick=customer.company,
            ship_name=customer.name,
            ship_phone=customer.phone,
            ship_province="四川",
            ship_city="成都市",
            ship_district="锦江区",
            ship_address="春熙路 88 号 锦城百货 仓储部",
        )
        order = order_services.order_approve_on_terms(actor=staff.clerk, order_id=order.pk, at=at + timedelta(minutes=40))
        if order.status == OrderStatus.APPROVED:
            services.payment_receive(
                actor=staff.finance, order_id=order.pk, amount=to_cent(order.total_amount * Decimal("0.3")),
                reference=f"网银回单 {rng.randint(10**15, 10**16 - 1)}", at=at + timedelta(days=3),
            )
        notes.append(f"{order.number} ({customer.company}): {order.get_status_display()}")
    return notes


def _settled_at(order: Order):
    """Taobao and Tmall pay the seller once the buyer confirms receipt (or the platform does)."""
    return order.completed_at or (order.delivered_at and order.delivered_at + timedelta(days=7))


def alipay_statement(*, now, rng) -> tuple[bytes, int]:
    """The Alipay 账务明细 of the demo's Taobao and Tmall shops over the last SETTLED_DAYS days, in GBK."""
    since = now - timedelta(days=SETTLED_DAYS)
    entries = []  # (time, merchant order, income, expense, business type, remark)
    orders = Order.objects.filter(channel__platform__in=[Platform.TAOBAO, Platform.TMALL], paid_amount__gt=0).exclude(
        status=OrderStatus.CANCELLED
    )
    settled_ids = set()
    for order in orders.order_by("pk"):
        at = _settled_at(order)
        if not at or not since <= at <= now:
            continue
        settled_ids.add(order.pk)
        income = order.paid_amount
        if rng.random() < 0.03:
            income -= Decimal("3.00")  # a platform coupon the shop did not know it funded
        entries.append((at, f"T200P{order.platform_order_id}", income, None, "交易付款", ""))
        entries.append((at, f"T200P{order.platform_order_id}", None, to_cent(order.paid_amount * Decimal("0.02")), "技术服务费", "天猫/淘宝技术服务费"))
    refunds = Refund.objects.filter(status=RefundStatus.PAID, order_id__in=settled_ids, paid_at__gte=since, paid_at__lte=now)
    for refund in refunds.select_related("order"):
        entries.append((refund.paid_at, f"T200P{refund.order.platform_order_id}", None, refund.amount, "交易退款", "售后退款"))
    for days_ago in range(2, SETTLED_DAYS, 7):
        entries.append((now - timedelta(days=days_ago, hours=3), "", None, Decimal("5000.00"), "提现", "提现到招商银行"))
    for _ in range(2):
        entries.append((now - timedelta(days=rng.randint(1, 20)), f"T200P{rng.randint(10**15, 10**16 - 1)}", Decimal("39.90"), None, "交易付款", "其他店铺订单"))
    entries.sort(key=lambda entry: entry[0])
    lines = [
        "#支付宝账务明细查询",
        "#账号：[20880123456780156]",
        f"#起始日期：[{timezone.localtime(since):%Y年%m月%d日 %H:%M:%S}]   终止日期：[{timezone.localtime(now):%Y年%m月%d日 %H:%M:%S}]",
        "#-----------------------------------------账务明细列表----------------------------------------",
        ALIPAY_HEADER,
    ]
    balance = Decimal("20000.00")
    for number, (at, merchant_order, income, expense, business, remark) in enumerate(entries, start=1):
        balance += (income or 0) - (expense or 0)
        ledger = f"{timezone.localtime(at):%Y%m%d}{number:08d}"
        trade = f"{timezone.localtime(at):%Y%m%d}2200{rng.randint(10**11, 10**12 - 1)}"
        text = [ledger, trade, merchant_order, "店铺商品", f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}", "buyer@alipay.example"]
        row = (
            ",".join(f"{cell}\t" for cell in text)
            + f",{income or ''},{expense or ''},{balance},"
            + ",".join(f"{cell}\t" for cell in ("支付宝", business, remark))
        )
        lines.append(row)
        if number == 5:
            lines.append(row)  # Alipay's export listed one entry twice: a duplicate line for Finance to see
    listed = entries + entries[4:5]  # the closing lines count every row listed, the repeated fifth too
    incomes = [entry[2] for entry in listed if entry[2]]
    expenses = [entry[3] for entry in listed if entry[3]]
    lines += [
        "#-----------------------------------------账务明细列表结束------------------------------------",
        f"#支出合计：{len(expenses)}笔，共{sum(expenses, Decimal(0))}元",
        f"#收入合计：{len(incomes)}笔，共{sum(incomes, Decimal(0))}元",
        f"#导出时间：[{timezone.localtime(now):%Y年%m月%d日 %H:%M:%S}]",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk"), len(entries) + 1


def shopify_transactions(*, now, rng) -> bytes:
    """Shopify Payments' transactions export for the demo's Shopify store, last two weeks."""
    since = now - timedelta(days=14)
    header = (
        "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Available On,Amount,Fee,Net,"
        "Checkout,Payment Method Name,Presentment Amount,Presentment Currency,Currency"
    )
    rows = []
    for order in Order.objects.filter(channel__platform=Platform.SHOPIFY, paid_at__gte=since, paid_at__lte=now).exclude(
        status=OrderStatus.CANCELLED
    ):
        fee = to_cent(order.paid_amount * Decimal("0.029") + Decimal("0.30"))
        rows.append((order.paid_at, "charge", order.platform_order_id, order.paid_amount, fee))
    for refund in Refund.objects.filter(order__channel__platform=Platform.SHOPIFY, status=RefundStatus.PAID, paid_at__gte=since):
        rows.append((refund.paid_at, "refund", refund.order.platform_order_id, -refund.amount, Decimal("0.00")))
    rows.sort()
    lines = [header]
    for at, kind, order, amount, fee in rows:
        when = timezone.localtime(at, timezone.get_fixed_timezone(-300)).strftime("%Y-%m-%d %H:%M:%S -0500")
        lines.append(
            f"{when},{kind},{order},visa,online,paid,{at:%Y-%m-%d},{at:%Y-%m-%d},{amount},{fee},{amount - fee},"
            f"c{rng.randint(10**9, 10**10 - 1)},visa,{abs(amount)},USD,USD"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def wechat_trade_bill(*, now) -> bytes:
    """WeChat Pay's trade bill for the orders paid by WeChat (manual orders), last 30 days."""
    header = (
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
        "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
        "手续费,费率,订单金额,申请退款金额,费率备注"
    )
    lines = [header]
    payments = (
        Order.objects.filter(payments__method=PaymentMethod.WECHAT, payments__paid_at__gte=now - timedelta(days=30))
        .values_list("payments__paid_at", "payments__reference", "number", "payments__amount")
        .order_by("payments__paid_at")
    )
    total = fees = Decimal(0)
    for at, reference, number, amount in payments:
        fee = (amount * Decimal("0.006")).quantize(Decimal("0.00001"))
        total, fees = total + amount, fees + fee
        values = [
            f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}", "wx5e0d3b9c1a2f4e60", "1601959334", "0", "", reference, number,
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "NATIVE", "SUCCESS", "CMB_DEBIT", "CNY", amount, "0.00", "0", "0", "0.00",
            "0.00", "", "", "茶叶礼盒", "", fee, "0.60%", amount, "0.00", "",
        ]
        lines.append(",".join(f"`{value}" for value in values))
    lines.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额")
    lines.append(f"`{len(lines) - 2},`{total},`0.00,`0.00,`{fees},`{total},`0.00")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def finance_demo_seed(*, staff, now, seed: int) -> list[str]:
    """Everything above; returns lines for seed_demo to print."""
    rng = random.Random(f"{seed}:finance")
    notes = []
    try:
        notes += [f"Payment terms: {line}" for line in _terms_orders(staff=staff, now=now, rng=rng)]
    except DomainError as error:
        notes.append(f"Payment terms: not shown ({error})")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    day = timezone.localtime(now)
    alipay, count = alipay_statement(now=now, rng=rng)
    alipay_path = OUT_DIR / f"alipay_账务明细_{day:%Y%m%d}.csv"
    alipay_path.write_bytes(alipay)
    result = services.settlement_import(actor=staff.finance, source="alipay", file=alipay, file_name=alipay_path.name, at=now)
    if result.batch is not None:
        notes.append(f"Settlement: {alipay_path.relative_to(settings.BASE_DIR)} imported ({result.new_lines} lines).")
    for name, data in (
        (f"shopify_payments_transactions_{day:%Y%m%d}.csv", shopify_transactions(now=now, rng=rng)),
        (f"wechatpay_tradebill_{day:%Y%m%d}.csv", wechat_trade_bill(now=now)),
    ):
        (OUT_DIR / name).write_bytes(data)
        notes.append(f"Settlement: {(OUT_DIR / name).relative_to(settings.BASE_DIR)} ready to import from the admin.")
    first_order = Order.objects.filter(~Q(status=OrderStatus.CANCELLED)).order_by("placed_at").values_list("placed_at", flat=True).first()
    if first_order:
        month = services.month_of(first_order)
        if month < services.month_of(now):
            try:
                period = services.period_close(actor=staff.finance, year=month.year, month=month.month, at=now, note="Demo")
                notes.append(f"Closed period: {period}.")
            except DomainError:
                pass  # closed already
    return notes
