"""The whole loop, as the people involved work it: a buyer's return goes from
request to refund with stock and money right, and the platform's settlement
file that follows ties out in Finance's reconciliation sheet."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from aftersales import services as aftersales
from aftersales.models import ReturnReason, ReturnStatus, TicketKind
from finance import services as finance
from finance.models import Invoice, InvoiceKind, MatchClass, Refund, RefundStatus, SettlementLine
from finance.reconciliation import reconciliation_workbook
from inventory.models import StockLevel, StockMovement
from orders.models import OrderEvent, OrderEventType, OrderStatus
from orders.services import LineInput
from tests.finance.settlement_files import AlipayRow, alipay_file


def test_a_return_from_request_to_refund_then_reconciled_to_the_cent(
    order_in_status, skus, warehouse, service_user, warehouse_user, finance_user
):
    # A Tmall order: 3 × red tea at 9.90, 2 × green tea at 19.90 less 1.00, a 5.00 coupon, 6.00 shipping: 69.50 paid.
    order = order_in_status(
        OrderStatus.DELIVERED,
        platform_order_id="3300012345678",
        lines=[
            LineInput(title="Red tea", quantity=3, unit_price=Decimal("9.90"), sku=skus[0]),
            LineInput(title="Green tea", quantity=2, unit_price=Decimal("19.90"), discount_amount=Decimal("1.00"), sku=skus[1]),
        ],
        goods_amount=Decimal("68.50"),
        discount_amount=Decimal("5.00"),
        shipping_amount=Decimal("6.00"),
    )
    assert order.paid_amount == Decimal("69.50")
    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk)
    red, green = order.lines.order_by("id")
    stock_before = {sku.code: StockLevel.objects.get(warehouse=warehouse, sku=sku) for sku in skus[:2]}

    # Customer service opens and approves the return; the buyer sends one of each back.
    ticket = aftersales.return_open(
        actor=service_user,
        order_id=order.pk,
        kind=TicketKind.RETURN,
        reason=ReturnReason.NOT_AS_DESCRIBED,
        quantities={red.pk: 1, green.pk: 1},
        note="Colour differs from the photos",
    )
    aftersales.return_approve(actor=service_user, ticket_id=ticket.pk)
    aftersales.return_await(actor=service_user, ticket_id=ticket.pk, carrier="SF", tracking_number="SF7000001")
    # The warehouse receives the parcel and inspects it: the red box is fine, the green one is crushed.
    lines = {line.order_line_id: line for line in ticket.lines.all()}
    aftersales.return_receive(
        actor=warehouse_user, ticket_id=ticket.pk, quantities={lines[red.pk].pk: 1, lines[green.pk].pk: 1}
    )
    aftersales.return_inspect(
        actor=warehouse_user,
        ticket_id=ticket.pk,
        results={lines[red.pk].pk: (1, 0), lines[green.pk].pk: (0, 1)},
        qc_reference="QC-RT-0001",
    )
    # Customer service refunds what was paid for those two units; Finance approves and pays it.
    aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)
    refund = Refund.objects.get(return_request=ticket)
    finance.refund_approve(actor=finance_user, refund_id=refund.pk)
    finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk, reference="ALIPAY-RF-777")
    aftersales.return_close(actor=service_user, ticket_id=ticket.pk)

    # Stock: the red box is back on hand, the green one in quarantine; the ledger adds up.
    for code, on_hand, quarantined in (("TEA-1", 1, 0), ("TEA-2", 0, 1)):
        level = StockLevel.objects.get(warehouse=warehouse, sku__code=code)
        assert level.on_hand - stock_before[code].on_hand == on_hand
        assert level.quarantined - stock_before[code].quarantined == quarantined
        ledger = StockMovement.objects.filter(stock_level=level).aggregate(h=Sum("on_hand_delta"), q=Sum("quarantined_delta"))
        assert (ledger["h"], ledger["q"] or 0) == (level.on_hand, level.quarantined)

    # Money: red 27.53 paid for 3 → 9.18 for one; green 35.97 for 2 → 17.99 for one (half up): 27.17.
    assert (refund.amount, Refund.objects.get(pk=refund.pk).status) == (Decimal("27.17"), RefundStatus.PAID)
    assert finance.refundable_amount(order) == Decimal("42.33")
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert (note.credits, note.amount) == (invoice, Decimal("27.17"))
    assert ticket.__class__.objects.get(pk=ticket.pk).status == ReturnStatus.CLOSED
    steps = list(
        OrderEvent.objects.filter(order=order, created_at__gte=ticket.created_at).order_by("id").values_list("type", flat=True)
    )
    assert steps == [
        OrderEventType.RETURN_OPENED,
        OrderEventType.RETURN_APPROVED,
        OrderEventType.RETURN_AWAITED,
        OrderEventType.RETURN_RECEIVED,
        OrderEventType.RETURN_INSPECTED,
        OrderEventType.RETURN_REFUNDED,
        OrderEventType.REFUND_REQUESTED,
        OrderEventType.REFUND_APPROVED,
        OrderEventType.REFUND_PAID,
        OrderEventType.CREDIT_NOTE_ISSUED,
        OrderEventType.RETURN_CLOSED,
    ]

    # Alipay's statement: the payment in, the refund out, the platform's fee.
    now = timezone.now() - timedelta(minutes=1)
    statement = alipay_file(
        [
            AlipayRow("2026070100001", "T200P3300012345678", now, income="69.50"),
            AlipayRow("2026070100002", "T200P3300012345678", now, expense="27.17", business_type="交易退款"),
            AlipayRow("2026070100003", "T200P3300012345678", now, expense="0.42", business_type="技术服务费"),
        ]
    )
    result = finance.settlement_import(actor=finance_user, source="alipay", file=statement)
    assert result.by_class == {MatchClass.MATCHED: 2, MatchClass.FEE: 1}
    assert SettlementLine.objects.get(external_id="2026070100002").refund == refund

    buffer = BytesIO()
    today = timezone.localdate()
    totals = reconciliation_workbook(source="alipay", date_from=today, date_to=today, output=buffer)
    book = load_workbook(BytesIO(buffer.getvalue()))
    headline = next(row for row in book["Summary"].iter_rows(values_only=True) if row[0] == "CNY")
    gross, refunds, fees, other, net = (Decimal(str(value)).quantize(Decimal("0.01")) for value in headline[1:6])
    assert (gross, refunds, fees, other, net) == (
        Decimal("69.50"),
        Decimal("-27.17"),
        Decimal("-0.42"),
        Decimal("0.00"),
        Decimal("41.91"),
    )
    assert totals.net["CNY"] == Decimal("41.91") == gross + refunds + fees + other
    assert [row[1] for row in book["Matched"].iter_rows(min_row=2, values_only=True)][:2] == ["2026070100001", "2026070100002"]
    assert book["Not settled"].max_row == 1  # header only: every paid order of the day is settled
