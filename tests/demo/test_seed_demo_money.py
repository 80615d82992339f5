"""seed_demo's after-sales and finance data (issue 5): tickets worked through
the services, B2B orders on payment terms, an Alipay statement imported, the
Shopify and WeChat Pay files ready to import from the admin, a closed month."""

from io import StringIO

import pytest
from django.core.management import call_command

from aftersales.models import ReturnRequest
from demo.money import OUT_DIR
from finance.importers import PARSERS, FileFacts, RowProblem
from finance.models import ClosedPeriod, Payment, SettlementBatch, SettlementLine
from orders.models import ExceptionReason, Order, OrderStatus

ORDERS = 120


@pytest.mark.django_db
def test_finance_finds_payments_settlements_terms_and_a_closed_month_in_the_demo(settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("seed_demo", orders=ORDERS, stdout=out)

    assert Payment.objects.exists()
    batch = SettlementBatch.objects.get(source="alipay")
    assert batch.line_count == SettlementLine.objects.filter(batch=batch).count() > 0
    assert SettlementLine.objects.filter(match_class="matched").exists()
    assert ClosedPeriod.objects.count() == 1
    held = Order.objects.get(status=OrderStatus.ON_HOLD, exception_reason=ExceptionReason.CREDIT_REVIEW, customer__is_business=True, held_from_status=OrderStatus.PENDING_PAYMENT)
    assert held.payments.count() == 0
    assert "ready to import from the admin" in out.getvalue()
    for source, pattern in (("shopify", "shopify_payments_transactions_*.csv"), ("wechat", "wechatpay_tradebill_*.csv")):
        (path,) = sorted(OUT_DIR.glob(pattern))[-1:]
        parsed = list(PARSERS[source](path.read_bytes(), FileFacts()))
        assert not [line for line in parsed if isinstance(line, RowProblem)], path
    assert ReturnRequest.objects.exclude(status="requested").exists()
