"""Finance's screens: importing a settlement file from the admin, the lines by
class, downloading the reconciliation sheet, closing a month, failed refunds,
and the credit decision and payments on account from the order page. Other
roles get none of it."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from finance.models import ClosedPeriod, Refund, RefundStatus, SettlementBatch, SettlementLine
from orders import services
from orders.models import Order, OrderStatus
from orders.services import LineInput
from tests.factories import CustomerFactory
from tests.flow import snapshot

from .settlement_files import AlipayRow, alipay_file

S = OrderStatus
ROLES = ("Clerk", "Warehouse", "Customer service", "Finance", "Supervisor")
BATCHES = "/admin/finance/settlementbatch/"
IMPORT = "/admin/finance/settlementbatch/add/"
LINES = "/admin/finance/settlementline/"
PERIODS = "/admin/finance/closedperiod/"
RECONCILIATION = "/admin/finance/settlementbatch/reconciliation/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(data: bytes, name="alipay.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def statement(order_in_status):
    now = timezone.now() - timedelta(minutes=5)
    order_in_status(S.SHIPPED, platform_order_id="1001")
    return alipay_file(
        [AlipayRow("L1", "T200P1001", now, income="19.80"), AlipayRow("L2", "T200P77", now, income="3.00")]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", [BATCHES, IMPORT, LINES, PERIODS, RECONCILIATION, f"{PERIODS}add/"])
def test_only_finance_and_supervisors_open_the_settlement_and_period_screens(make_user, role, url):
    response = client_for(make_user(role)).get(url)
    assert (response.status_code == 200) == (role in ("Finance", "Supervisor")), (url, response.status_code)


def test_finance_imports_a_gbk_statement_from_the_admin(statement, finance_user):
    client = client_for(finance_user)

    response = client.post(IMPORT, {"source": "alipay", "file": upload(statement, "支付宝账务明细.csv")}, follow=True)

    batch = SettlementBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:finance_settlementbatch_change", args=[batch.pk])
    html = response.content.decode()
    assert "支付宝账务明细.csv: 2 lines imported (Matched 1, Order unknown 1)" in html
    assert f"batch__id__exact={batch.pk}&amp;match_class__exact=order_unknown" in html
    assert (batch.imported_by, batch.file_name, batch.line_count) == (finance_user, "支付宝账务明细.csv", 2)

    again = client.post(IMPORT, {"source": "alipay", "file": upload(statement)}, follow=True)
    assert "imported already" in again.content.decode()
    assert SettlementBatch.objects.count() == 1 and SettlementLine.objects.count() == 2


def test_a_broken_file_is_shown_on_the_form_and_nothing_is_imported(statement, finance_user):
    broken = statement.replace(b"19.80", "十九".encode("gbk"))
    before = snapshot()

    response = client_for(finance_user).post(IMPORT, {"source": "alipay", "file": upload(broken)})

    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode() and "line 6" in response.content.decode()
    assert snapshot() == before


def test_the_lines_list_filters_by_class(statement, finance_user):
    client = client_for(finance_user)
    client.post(IMPORT, {"source": "alipay", "file": upload(statement)})

    html = client.get(f"{LINES}?match_class__exact=order_unknown").content.decode()

    results = html.split('id="result_list"')[1].split("</table>")[0]
    assert ">L2<" in results and ">L1<" not in results
    assert ">77<" in results  # the Taobao order id, without Alipay's T200P prefix


def test_finance_downloads_the_reconciliation_sheet(statement, finance_user):
    client = client_for(finance_user)
    client.post(IMPORT, {"source": "alipay", "file": upload(statement)})
    today = timezone.localdate()

    form = client.get(RECONCILIATION)
    response = client.get(RECONCILIATION, {"source": "alipay", "date_from": f"{today}", "date_to": f"{today}"})

    assert form.status_code == 200 and "Download" in form.content.decode()
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"reconciliation-alipay-{today:%Y%m%d}-{today:%Y%m%d}.xlsx" in response["Content-Disposition"]
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[0] == "Summary" and book["Matched"].max_row == 3  # header, L1, total


def test_finance_closes_a_month_from_the_admin_after_confirming_it(finance_user):
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    last_month = last.strftime("%Y-%m")
    client = client_for(finance_user)

    confirm = client.post(f"{PERIODS}add/", {"month": last_month, "note": "Books closed"})

    html = confirm.content.decode()
    named = last.strftime("%B %Y")
    assert confirm.status_code == 200 and not ClosedPeriod.objects.exists()
    assert f"<h1>Close {named}?</h1>" in html
    assert f"dated in {named} can be recorded or changed" in html and "Closing cannot be undone." in html
    assert f'value="Yes, close {named}"' in html
    assert f'<input type="hidden" name="month" value="{last_month}"' in html and 'name="confirmed" value="1"' in html

    response = client.post(f"{PERIODS}add/", {"month": last_month, "note": "Books closed", "confirmed": "1"}, follow=True)

    assert f"{last_month} is closed" in response.content.decode()
    assert str(ClosedPeriod.objects.get()) == last_month
    assert last_month not in client.get(f"{PERIODS}add/").content.decode().split("<select")[1]


def test_finance_records_a_refund_as_failed_with_a_reason(order_in_status, finance_user):
    order = order_in_status(S.CANCELLED, cancelled_from=S.PAID)
    refund = Refund.objects.get(order=order)
    client = client_for(finance_user)
    data = {"action": "fail", "_selected_action": [refund.pk]}

    asked = client.post("/admin/finance/refund/", data)
    client.post("/admin/finance/refund/", {**data, "apply": "1", "reason": "Account closed"})

    assert "Record refunds as failed" in asked.content.decode()
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.FAILED


# --- on the order page ------------------------------------------------------------------------------------------------


@pytest.fixture
def held_order(order_in_status, clerk, sku):
    customer = CustomerFactory(business=True, credit_limit=Decimal("100.00"), payment_terms_days=30)
    order = order_in_status(
        S.PENDING_PAYMENT,
        customer=customer,
        lines=[LineInput(title="Carton", quantity=1, unit_price=Decimal("150.00"), sku=sku)],
    )
    services.order_approve_on_terms(actor=clerk, order_id=order.pk)
    return Order.objects.get(pk=order.pk)


def order_action(order, action):
    return reverse("admin:orders_order_action", args=[order.pk, action])


def test_finance_is_offered_the_credit_decision_on_a_held_order_and_takes_it(held_order, finance_user):
    client = client_for(finance_user)

    html = client.get(reverse("admin:orders_order_change", args=[held_order.pk])).content.decode()
    offered = set(re.findall(r"/do/(\w+)/", html))
    client.post(order_action(held_order, "grant_credit"), {"apply": "1", "note": "Known customer"})

    assert offered == {"grant_credit", "refuse_credit"}
    assert Order.objects.get(pk=held_order.pk).status == S.APPROVED


def test_a_clerk_cannot_post_the_credit_decision(held_order, clerk):
    before = snapshot(held_order.pk)

    response = client_for(clerk).post(order_action(held_order, "grant_credit"), {"apply": "1", "note": "x"}, follow=True)

    assert "not one of the steps you can take" in response.content.decode()
    assert snapshot(held_order.pk) == before


def test_finance_records_a_payment_on_account_from_the_order_page(held_order, finance_user):
    services.order_grant_credit(actor=finance_user, order_id=held_order.pk)
    client = client_for(finance_user)

    form = client.get(order_action(held_order, "receive_payment")).content.decode()
    client.post(order_action(held_order, "receive_payment"), {"apply": "1", "amount": "150.00", "method": "bank_transfer", "reference": "CMB"})

    assert 'value="150.00"' in form
    assert Order.objects.get(pk=held_order.pk).paid_amount == Decimal("150.00")


def test_the_warehouse_cannot_open_a_payment_form_and_see_the_amount_owed(held_order, finance_user, warehouse_user, order_in_status):
    services.order_grant_credit(actor=finance_user, order_id=held_order.pk)
    unpaid = order_in_status(S.PENDING_PAYMENT)

    for order, action in ((held_order, "receive_payment"), (unpaid, "mark_paid")):
        response = client_for(warehouse_user).get(order_action(order, action), follow=True)
        assert not re.search(r"\b(150\.00|19\.80)\b", response.content.decode()), action
