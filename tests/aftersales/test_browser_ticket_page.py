"""The ticket page clicked in a real browser (issue 10): Customer service's
Approve runs the step instead of posting the change form (a bare 403)."""

import pytest

from aftersales.models import ReturnRequest, ReturnStatus

from ..browser import chromium_or_skip, chromium_page, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _chromium():
    # First, so that a machine without Chromium skips before building the order.
    chromium_or_skip()


def test_customer_service_approves_a_ticket_from_its_page(live_server, ticket_in_status, service_user):
    ticket = ticket_in_status(ReturnStatus.REQUESTED)

    with chromium_page(live_server.url) as page:
        log_in(page, service_user.username)
        page.goto(f"/admin/aftersales/returnrequest/{ticket.pk}/change/")
        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_load_state()
        messages = page.locator("ul.messagelist li").all_inner_texts()
        status = page.locator(".fieldBox.field-status .readonly").inner_text()

    assert messages == [f"{ticket.number}: Approve — done."]
    assert status == "Approved"
    assert ReturnRequest.objects.get(pk=ticket.pk).status == ReturnStatus.APPROVED
