"""The README's five-minute tour, clicked in a real browser as each role
(issue 10): what the test client cannot show — that each button a user is told
to click posts its own form, and that no page reports a script error.

One Chromium for the module, a browser context (own login) per role. Each test
builds its data with the real services before its pages open."""

import os
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.models import ReturnRequest, ReturnStatus
from finance.models import Refund, RefundStatus, SettlementLine
from inventory.models import StockLevel, Wave
from orders import services
from orders.models import Order, OrderStatus, Platform
from orders.services import LineInput

from ..browser import browser_page, chromium_browser, chromium_or_skip, log_in
from ..aftersales.conftest import ticket_in_status, two_line_order  # noqa: F401 (fixtures)
from ..factories import ChannelFactory, CustomerFactory
from ..finance.settlement_files import AlipayRow, alipay_file
from ..orders.imports import platform_files as pf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def tour_browser():
    chromium_or_skip()
    # Playwright's sync API leaves its event loop running between calls, which
    # Django takes for an async context and refuses the ORM in. Nothing async
    # touches the database here: the fixtures' ORM calls run while the browser
    # waits, and the live server answers in its own thread.
    allowed = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with chromium_browser() as browser:
            yield browser
    finally:
        if allowed is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allowed


@pytest.fixture
def as_user(tour_browser, live_server):
    """``with as_user(user) as page``: a page logged in as that user, in a context of its own."""

    @contextmanager
    def open_as(user):
        with browser_page(tour_browser, live_server.url) as page:
            log_in(page, user.username)
            yield page

    return open_as


def messages(page) -> list[str]:
    return page.locator("ul.messagelist li").all_inner_texts()


def click_step(page, label: str) -> list[str]:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()
    return messages(page)


# The README's tour, steps 2 and 3: each step by the role that owns it.
STEPS = (
    ("clerk", "Approve", "Approved"),
    ("warehouse", "Allocate stock", "Allocated"),
    ("warehouse", "Start picking", "Picking"),
    ("warehouse", "Mark packed", "Packed"),
    ("warehouse", "Ship", "Shipped"),
    ("service", "Confirm delivery", "Delivered"),
    ("clerk", "Complete", "Completed"),
)


def shown_status(page) -> str:
    return page.locator(".fieldBox.field-status .readonly").inner_text()


def test_each_role_clicks_its_steps_from_paid_to_completed(
    as_user, order_in_status, clerk, warehouse_user, service_user
):
    order = order_in_status(OrderStatus.PAID)
    page_url = f"/admin/orders/order/{order.pk}/change/"
    seen = []  # (role, messages, status shown) after each step

    with as_user(clerk) as page:
        page.goto(page_url)
        seen.append(("clerk", click_step(page, "Approve"), shown_status(page)))
    with as_user(warehouse_user) as page:
        page.goto(page_url)
        for label in ("Allocate stock", "Start picking", "Mark packed"):
            seen.append(("warehouse", click_step(page, label), shown_status(page)))
        page.get_by_role("link", name="Ship…").click()
        page.fill("#id_carrier", "SF Express")
        page.fill("#id_tracking_number", "SF7770001")
        page.get_by_role("button", name="Ship").click()
        page.wait_for_url(f"**{page_url}")
        seen.append(("warehouse", messages(page), shown_status(page)))
    with as_user(service_user) as page:
        page.goto(page_url)
        seen.append(("service", click_step(page, "Confirm delivery"), shown_status(page)))
    with as_user(clerk) as page:
        page.goto(page_url)
        seen.append(("clerk", click_step(page, "Complete"), shown_status(page)))
        timeline = page.locator(".od-timeline").inner_text()

    done = [(role, f"{order.number}: {label} — done.", status) for role, label, status in STEPS]
    assert [(role, shown, status) for role, (shown,), status in seen] == done
    for event in ("Approved", "Stock allocated", "Picking started", "Packed", "Delivered", "Completed"):
        assert event in timeline
    assert "carrier: SF Express; tracking number: SF7770001" in timeline
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_a_clerk_puts_two_paid_orders_on_hold_from_the_list(as_user, order_in_status, clerk):
    first, second = order_in_status(OrderStatus.PAID), order_in_status(OrderStatus.PAID)
    untouched = order_in_status(OrderStatus.PAID)

    with as_user(clerk) as page:
        page.goto("/admin/orders/order/?status__exact=paid")
        for order in (first, second):
            page.check(f"input[name=_selected_action][value='{order.pk}']")
        page.select_option("select[name=action]", label="Put selected orders on hold…")
        page.get_by_role("button", name="Run").click()
        page.wait_for_load_state()
        listed = page.locator("ul.od-listed li").all_inner_texts()
        page.fill("#id_reason", "Buyer asked us to wait")
        page.get_by_role("button", name="Hold").click()
        page.wait_for_url("**/admin/orders/order/**")
        done = messages(page)

    assert listed == [first.number, second.number]
    assert done == ["Hold: 2 orders done."]
    statuses = dict(Order.objects.filter(pk__in=[first.pk, second.pk, untouched.pk]).values_list("pk", "status"))
    assert statuses == {first.pk: OrderStatus.ON_HOLD, second.pk: OrderStatus.ON_HOLD, untouched.pk: OrderStatus.PAID}


def test_the_warehouse_allocates_starts_a_wave_prints_its_pick_list_packs_and_ships(
    as_user, order_in_status, sku, warehouse, warehouse_user
):
    first, second = order_in_status(OrderStatus.APPROVED), order_in_status(OrderStatus.APPROVED)

    with as_user(warehouse_user) as page:
        page.goto("/warehouse/")
        page.get_by_role("button", name="Allocate approved orders now").click()
        page.wait_for_load_state()
        allocated = page.locator(".wh-messages li").all_inner_texts()
        page.get_by_role("link", name="Pick queue").click()
        page.check(f"#o{first.pk}")
        page.check(f"#o{second.pk}")
        page.get_by_role("button", name="Start a wave with the selected orders").click()
        page.wait_for_url("**/warehouse/waves/**")
        started = page.locator(".wh-messages li").all_inner_texts()
        page.emulate_media(media="print")
        pick_rows = page.locator("table.wh-table").first.locator("tbody tr").all_inner_texts()
        print_bar_shown = page.locator(".wh-bar.wh-no-print").is_visible()
        page.emulate_media(media="screen")

        page.get_by_role("link", name="Go to packing").click()
        page.fill("#scan", first.number)
        page.press("#scan", "Enter")
        page.wait_for_url(f"**/warehouse/pack/{first.number}/")
        page.click("#check-all")
        page.click("#packed")
        page.wait_for_url(f"**/warehouse/{warehouse.code}/pack/?slip={first.number}")
        packed = page.locator(".wh-messages li").all_inner_texts()

        page.goto("/warehouse/")
        page.get_by_role("link", name="Ship", exact=True).click()
        page.fill("#scan", first.number)
        page.press("#scan", "Enter")
        page.fill("#carrier", "SF Express")
        page.fill("#tracking", "SF8880001")
        page.press("#tracking", "Enter")
        page.wait_for_url(f"**/warehouse/{warehouse.code}/ship/")
        shipped = page.locator(".wh-messages li").all_inner_texts()

    wave = Wave.objects.get()
    assert allocated == ["2 orders allocated; 0 could not be (out of stock: flagged)."]
    assert started == [f"Wave {wave.number}: 2 orders to pick."]
    # One pick row: both orders' 2 × TEA-1 from the same bin; the screen's buttons are not printed.
    assert [row.split("\t")[1:6] for row in pick_rows] == [
        ["TEA-1", "Tea gift box 1", sku.barcode, "4", f"{first.number}, {second.number}"]
    ]
    assert not print_bar_shown
    assert packed == [f"{first.number} packed."]
    assert shipped == [f"{first.number} shipped with SF Express SF8880001."]
    assert Order.objects.get(pk=first.pk).status == OrderStatus.SHIPPED
    assert Order.objects.get(pk=second.pk).status == OrderStatus.PICKING


def test_a_clerk_imports_a_taobao_report_with_its_items_and_maps_an_unknown_sku_code(
    as_user, skus, clerk, settings, tmp_path
):
    settings.ORDERDESK_IMPORT_DIR = tmp_path / "imports"
    ChannelFactory(code="tmall", name="天猫旗舰店", platform=Platform.TMALL)
    report, items = tmp_path / "ExportOrderList.csv", tmp_path / "ExportOrderDetailList.csv"
    report.write_bytes(pf.taobao_orders([pf.taobao_order(1), pf.taobao_order(2, 订单状态="谁知道"), pf.taobao_order(3)]))
    items.write_bytes(pf.taobao_items([pf.taobao_item(1), pf.taobao_item(2), pf.taobao_item(3, 商家编码="LJ-GIFT")]))

    with as_user(clerk) as page:
        page.goto("/admin/orders/importbatch/")
        page.get_by_role("link", name="Import a file").click()
        page.get_by_label("Channel").select_option(label="天猫旗舰店")
        page.get_by_label("Files").set_input_files([report, items])
        page.get_by_role("button", name="Upload and preview").click()
        page.get_by_role("button", name="Confirm import").wait_for()
        preview = page.locator("#content-main").inner_text()
        page.get_by_role("button", name="Confirm import").click()
        page.wait_for_load_state()
        confirmed = page.locator("#content-main").inner_text()

        page.goto("/admin/orders/unmappedline/")
        waiting = page.locator("#result_list tbody tr").all_inner_texts()
        page.locator("input[name=_selected_action]").check()
        page.select_option("select[name=action]", label="Map their platform codes to one of our SKUs…")
        page.get_by_role("button", name="Run").click()
        page.get_by_label("Our SKU").select_option(value=str(skus[1].pk))
        page.get_by_role("button", name="Map").click()
        page.wait_for_url("**/admin/orders/unmappedline/")
        mapped = messages(page)

    held = Order.objects.get(platform_order_id="3")
    assert "Ready to confirm" in preview and "2 orders to create" in preview
    assert "Paid, awaiting shipment\t王小明\t1\t109.00 CNY" in preview
    assert "ExportOrderList.csv\t3\t2\t订单状态: unknown status “谁知道”." in preview
    assert "Imported" in confirmed and "2 orders created" in confirmed
    (waiting_line,) = waiting
    assert waiting_line.split("\t")[1:7] == ["LJ-GIFT", "龙井茶礼盒", "天猫旗舰店", held.number, "On hold", "2"]
    assert mapped == ["天猫旗舰店: LJ-GIFT → TEA-2; 1 order updated."]
    imported = dict(Order.objects.values_list("platform_order_id", "status"))  # the held order released
    assert imported == {"1": OrderStatus.PAID, "3": OrderStatus.PAID}


def test_customer_service_opens_a_ticket_from_a_shipped_order(as_user, order_in_status, service_user):
    order = order_in_status(OrderStatus.SHIPPED)

    with as_user(service_user) as page:
        page.goto(f"/admin/orders/order/{order.pk}/change/")
        page.get_by_role("link", name="Open after-sales ticket…").click()
        page.get_by_label("Kind").select_option(label="Refund only")
        page.get_by_label("Reason").select_option(index=1)
        page.locator("input[name^=line_]").fill("1")
        page.get_by_role("button", name="Open after-sales ticket").click()
        page.wait_for_url(f"**/admin/orders/order/{order.pk}/change/")
        opened = messages(page)
        tickets = page.locator("table.od-tickets tbody tr").all_inner_texts()
        page.locator("table.od-tickets a").click()
        page.wait_for_url("**/admin/aftersales/returnrequest/**")
        ticket_buttons = page.locator(".od-actions").inner_text()

    ticket = ReturnRequest.objects.get()
    assert opened == [f"{order.number}: after-sales ticket {ticket.number} opened."]
    assert [row.split("\t")[:5] for row in tickets] == [
        [ticket.number, "Refund only", "Wrong item sent", "Requested", service_user.username]
    ]
    assert ticket_buttons.splitlines()[0] == "Approve"
    assert ticket.order_id == order.pk


def test_finance_imports_a_settlement_file_and_downloads_the_reconciliation_sheet(
    as_user, order_in_status, finance_user, tmp_path
):
    paid = order_in_status(OrderStatus.SHIPPED, platform_order_id="1001")
    at = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    day = timezone.localdate(at)
    statement = tmp_path / "alipay.csv"
    statement.write_bytes(
        alipay_file(
            [
                AlipayRow("20260001", "T200P1001", at, income="19.80"),
                AlipayRow("20260002", "T200P9999", at, income="5.00"),
                AlipayRow("20260003", "T200P1001", at, expense="0.99", business_type="技术服务费"),
            ]
        )
    )

    with as_user(finance_user) as page:
        page.goto("/admin/finance/settlementbatch/")
        page.get_by_role("link", name="Import settlement file").click()
        page.get_by_label("Source").select_option(value="alipay")
        page.get_by_label("Settlement file").set_input_files(statement)
        page.get_by_role("button", name="Import").click()
        page.wait_for_url("**/admin/finance/settlementbatch/*/change/")
        imported = messages(page)
        batch_page = page.locator("#content-main").inner_text()
        page.get_by_role("link", name="Matched: 1").click()
        page.wait_for_url("**/admin/finance/settlementline/**")
        matched_lines = page.locator("#result_list tbody tr").all_inner_texts()
        page.goto("/admin/finance/settlementbatch/")
        page.get_by_role("link", name="Download reconciliation sheet").click()
        page.get_by_label("Source").select_option(value="alipay")
        page.get_by_label("From").fill(day.isoformat())
        page.get_by_label("To (included)").fill(day.isoformat())
        with page.expect_download() as download:
            page.get_by_role("button", name="Download").click()
        file_name = download.value.suggested_filename
        sheet = load_workbook(BytesIO(download.value.path().read_bytes()))

    # Django's admin capitalises a message's first letter.
    assert imported == [
        "Alipay.csv: 3 lines imported (Matched 1, Order unknown 1, Fee / commission 1); 0 were imported before."
    ]
    assert "Matched: 1, Order unknown: 1, Fee / commission: 1" in batch_page
    assert len(matched_lines) == 1 and paid.number in matched_lines[0] and "19.80" in matched_lines[0]
    assert file_name == f"reconciliation-alipay-{day:%Y%m%d}-{day:%Y%m%d}.xlsx"
    matched = [row for row in sheet["Matched"].iter_rows(values_only=True) if paid.number in row]
    assert len(matched) == 1
    assert SettlementLine.objects.filter(order=paid).exists()


def test_a_supervisor_cancels_an_allocated_order_and_finance_approves_and_pays_its_refund(
    as_user, order_in_status, sku, warehouse, supervisor, finance_user
):
    order = order_in_status(OrderStatus.ALLOCATED)

    with as_user(supervisor) as page:
        page.goto(f"/admin/orders/order/{order.pk}/change/")
        page.get_by_role("link", name="Cancel and release stock…").click()
        page.fill("#id_reason", "Buyer changed their mind")
        page.get_by_role("button", name="Cancel and release stock").click()
        page.wait_for_url(f"**/admin/orders/order/{order.pk}/change/")
        cancelled = messages(page)
        status = shown_status(page)
        timeline = page.locator(".od-timeline").inner_text()
    refund = Refund.objects.get(order=order)
    with as_user(finance_user) as page:
        page.goto("/admin/finance/refund/")
        paid = []
        for action in ("Approve selected refunds", "Record selected refunds as paid"):
            page.check(f"input[name=_selected_action][value='{refund.pk}']")
            page.select_option("select[name=action]", label=action)
            page.get_by_role("button", name="Run").click()
            page.wait_for_load_state()
            paid.append(messages(page))

    assert cancelled == [f"{order.number}: Cancel and release stock — done."]
    assert status == "Cancelled"
    for event in (
        "Allocated → Cancelled; reason: Buyer changed their mind",
        "Reserved stock released",
        "Refund requested",
    ):
        assert event in timeline
    assert paid == [["1 done."], ["1 done."]]
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.PAID
    assert StockLevel.objects.get(warehouse=warehouse, sku=sku).reserved == 0


def test_the_warehouse_inspects_returned_goods_back_on_hand_and_into_quarantine(
    as_user, ticket_in_status, skus, warehouse, warehouse_user
):
    ticket = ticket_in_status(ReturnStatus.RECEIVED)  # 2 × Red tea (TEA-1) received
    (line,) = ticket.lines.all()
    before = StockLevel.objects.get(warehouse=warehouse, sku=skus[0])

    with as_user(warehouse_user) as page:
        page.goto("/admin/aftersales/returnrequest/?status__exact=received")
        page.get_by_role("link", name=ticket.number).click()
        page.get_by_role("link", name="Inspect goods…").click()
        page.fill("#id_qc_reference", "QC-2026-001")
        page.fill(f"#id_sellable_{line.pk}", "1")
        page.fill(f"#id_damaged_{line.pk}", "1")
        page.get_by_role("button", name="Inspect goods").click()
        page.wait_for_url(f"**/admin/aftersales/returnrequest/{ticket.pk}/change/")
        inspected = messages(page)
        status = shown_status(page)
        ticket_page = page.locator("#content").inner_text()

    after = StockLevel.objects.get(warehouse=warehouse, sku=skus[0])
    assert inspected == [f"{ticket.number}: Inspect goods — done."]
    assert status == "Inspected"
    assert "CNY" not in ticket_page and "69.50" not in ticket_page  # the warehouse sees no amount
    assert (after.on_hand - before.on_hand, after.quarantined - before.quarantined) == (1, 1)


def test_finance_approves_the_credit_of_a_b2b_order_held_for_credit_review(
    as_user, order_in_status, skus, clerk, finance_user
):
    customer = CustomerFactory(business=True, credit_limit=Decimal("1000.00"), payment_terms_days=30)
    orders = [
        order_in_status(
            OrderStatus.PENDING_PAYMENT,
            customer=customer,
            lines=[LineInput(title="Tea, wholesale carton", quantity=1, unit_price=Decimal(amount), sku=skus[0])],
        )
        for amount in ("900.00", "200.00")
    ]
    for order in orders:
        services.order_approve_on_terms(actor=clerk, order_id=order.pk)
    held = orders[1]

    with as_user(finance_user) as page:
        page.goto("/admin/orders/order/?status__exact=on_hold")
        page.get_by_role("link", name=held.number).click()
        banner = page.locator(".od-exception-flag").inner_text()
        page.get_by_role("link", name="Approve credit…").click()
        page.get_by_role("button", name="Approve credit").click()
        page.wait_for_url(f"**/admin/orders/order/{held.pk}/change/")
        approved = messages(page)
        status = shown_status(page)

    assert banner == (
        "Held for credit review: this order would take what the customer owes past its credit limit. "
        "Order total 200.00 CNY; the customer owes 900.00 CNY on account besides it, 1100.00 CNY with it; "
        "credit limit 1000.00 CNY."
    )
    assert approved == [f"{held.number}: Approve credit — done."]
    assert status == "Approved"
    assert Order.objects.get(pk=held.pk).status == OrderStatus.APPROVED


def test_the_language_selector_switches_the_admin_to_chinese_and_back(as_user, clerk):
    with as_user(clerk) as page:
        page.goto("/admin/orders/order/")
        page.select_option("#od-language", value="zh-hans")
        page.wait_for_function("document.documentElement.lang === 'zh-hans'")
        chinese_url = page.url
        chinese_title = page.title()
        page.select_option("#od-language", value="en")
        page.wait_for_function("document.documentElement.lang === 'en'")
        english_title = page.title()

    assert chinese_title == "选择 订单 来修改 | Orderdesk"
    assert english_title == "Select order to change | Orderdesk"
    assert chinese_url.endswith("/admin/orders/order/")  # the selector keeps the user on the page
