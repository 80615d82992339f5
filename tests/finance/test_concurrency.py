"""Two people at once, on real PostgreSQL row locks: the same settlement file
imported twice, overlapping files, and two refunds of one ticket."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from aftersales import services as aftersales
from aftersales.models import ReturnReason, TicketKind
from finance import services as finance
from finance.models import Refund, SettlementBatch, SettlementLine
from core.errors import DomainError
from orders.models import OrderStatus

from .settlement_files import AlipayRow, alipay_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(*calls):
    """Run the calls in threads released at the same moment; their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_same_file_imported_twice_at_once_is_imported_once(order_in_status):
    order_in_status(OrderStatus.SHIPPED, platform_order_id="1001")
    now = timezone.now()
    data = alipay_file([AlipayRow(str(n), "T200P1001" if n == 1 else f"T200P{n}", now, income="19.80") for n in range(1, 300)])

    first, second = together(
        lambda: finance.settlement_import(actor=None, source="alipay", file=data),
        lambda: finance.settlement_import(actor=None, source="alipay", file=data),
    )

    assert sorted([first.created, second.created]) == [False, True]
    assert SettlementBatch.objects.count() == 1
    assert SettlementLine.objects.count() == 299


def test_overlapping_files_imported_at_once_store_each_line_once(db):
    now = timezone.now()
    one = alipay_file([AlipayRow(str(n), f"T200P{n}", now, income="1.00") for n in range(1, 200)])
    two = alipay_file([AlipayRow(str(n), f"T200P{n}", now, income="1.00") for n in range(100, 300)])

    results = together(
        lambda: finance.settlement_import(actor=None, source="alipay", file=one),
        lambda: finance.settlement_import(actor=None, source="alipay", file=two),
    )

    assert all(result.created for result in results), results
    assert SettlementLine.objects.count() == 299
    assert sorted(result.skipped_lines for result in results) == [0, 100]  # lines 100-199 are in both files


def test_two_refunds_of_one_ticket_at_once_make_one_refund(order_in_status, service_user, make_user):
    order = order_in_status(OrderStatus.DELIVERED)
    ticket = aftersales.return_open(
        actor=service_user,
        order_id=order.pk,
        kind=TicketKind.REFUND_ONLY,
        reason=ReturnReason.OTHER,
        quantities={order.lines.get().pk: 2},
    )
    aftersales.return_approve(actor=service_user, ticket_id=ticket.pk)
    colleague = make_user("Customer service")

    results = together(
        lambda: aftersales.return_refund(actor=service_user, ticket_id=ticket.pk),
        lambda: aftersales.return_refund(actor=colleague, ticket_id=ticket.pk),
    )

    assert sum(isinstance(result, DomainError) for result in results) == 1
    assert list(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [Decimal("19.80")]
