"""The order page clicked in a real browser (issue 10): a step button runs its
step, and Save then saves an edit — which the test client, posting wherever it
is told, cannot show."""

import pytest

from orders.models import Order, OrderStatus

from ..browser import chromium_or_skip, chromium_page, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _chromium():
    # First, so that a machine without Chromium skips before building the order.
    chromium_or_skip()


def test_a_clerk_approves_an_order_then_saves_a_corrected_address(live_server, order_in_status, clerk):
    order = order_in_status(OrderStatus.PAID)

    with chromium_page(live_server.url) as page:
        log_in(page, clerk.username)
        page.goto(f"/admin/orders/order/{order.pk}/change/")

        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_load_state()
        messages = page.locator("ul.messagelist li").all_inner_texts()
        status = page.locator(".fieldBox.field-status .readonly").inner_text()

        page.fill("#id_ship_address", "88 Corrected Road, Building 3")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_load_state()
        saved = page.locator("ul.messagelist li").all_inner_texts()

    assert messages == [f"{order.number}: Approve — done."]
    assert status == "Approved"
    assert len(saved) == 1 and "was changed successfully" in saved[0]
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert order.ship_address == "88 Corrected Road, Building 3"


def test_the_warehouse_undoes_an_allocation_from_the_order_page(live_server, order_in_status, warehouse_user):
    order = order_in_status(OrderStatus.ALLOCATED)

    with chromium_page(live_server.url) as page:
        log_in(page, warehouse_user.username)
        page.goto(f"/admin/orders/order/{order.pk}/change/")
        page.get_by_role("button", name="Undo allocation", exact=True).click()
        page.wait_for_load_state()
        messages = page.locator("ul.messagelist li").all_inner_texts()

    assert messages == [f"{order.number}: Undo allocation — done."]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED
