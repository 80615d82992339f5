"""The after-sales screens as each role meets them: the tickets list and its
filters, the buttons on a ticket's page, the warehouse receiving and
inspecting through the admin without ever seeing a price or an amount, and
the server refusing a step that was not offered."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.models import ReturnRequest, ReturnStatus, TicketKind
from inventory.models import StockLevel
from tests.flow import snapshot

T = ReturnStatus
LIST = "/admin/aftersales/returnrequest/"
ROLES = ("Clerk", "Warehouse", "Customer service", "Finance", "Supervisor")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(ticket):
    return reverse("admin:aftersales_returnrequest_change", args=[ticket.pk])


def action_url(ticket, action):
    return reverse("admin:aftersales_returnrequest_action", args=[ticket.pk, action])


def status_of(ticket):
    return ReturnRequest.objects.values_list("status", flat=True).get(pk=ticket.pk)


def buttons(html) -> set[str]:
    return set(re.findall(r"/admin/aftersales/returnrequest/\d+/do/(\w+)/", html))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_role_with_after_sales_work_opens_the_tickets_list_and_sla_screen(make_user, role):
    client = client_for(make_user(role))
    assert client.get(LIST).status_code == 200
    assert client.get("/admin/aftersales/ticketsla/").status_code == (403 if role == "Warehouse" else 200)


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        ("Customer service", T.REQUESTED, {"approve", "reject", "cancel", "assign"}),
        ("Warehouse", T.REQUESTED, set()),
        ("Clerk", T.REQUESTED, set()),
        ("Finance", T.REQUESTED, set()),
        ("Customer service", T.APPROVED, {"await_return", "cancel", "assign"}),
        ("Warehouse", T.AWAITING_RETURN, {"receive"}),
        ("Customer service", T.AWAITING_RETURN, {"cancel", "assign"}),
        ("Warehouse", T.RECEIVED, {"inspect"}),
        ("Customer service", T.INSPECTED, {"refund", "close", "assign"}),
        ("Supervisor", T.INSPECTED, {"refund", "close", "assign"}),
    ],
)
def test_the_ticket_page_offers_exactly_the_steps_the_role_may_take_now(ticket_in_status, make_user, role, status, expected):
    ticket = ticket_in_status(status)

    html = client_for(make_user(role)).get(page_url(ticket)).content.decode()

    assert buttons(html) == expected


def test_a_return_only_step_is_not_even_shown_on_a_refund_only_ticket(ticket_in_status, service_user):
    ticket = ticket_in_status(T.APPROVED, kind=TicketKind.REFUND_ONLY)

    html = client_for(service_user).get(page_url(ticket)).content.decode()

    assert buttons(html) == {"refund", "cancel", "assign"}


def test_the_warehouse_receives_and_inspects_through_the_admin(ticket_in_status, warehouse_user, warehouse, skus):
    ticket = ticket_in_status(T.AWAITING_RETURN, quantities={"Red tea": 2})
    line = ticket.lines.get()
    client = client_for(warehouse_user)
    before = StockLevel.objects.get(warehouse=warehouse, sku=skus[0])

    form = client.get(action_url(ticket, "receive"))
    assert form.status_code == 200 and "units in the parcel" in form.content.decode()
    client.post(action_url(ticket, "receive"), {"apply": "1", "warehouse": warehouse.pk, f"line_{line.pk}": 2, "note": ""})
    assert status_of(ticket) == T.RECEIVED
    response = client.post(
        action_url(ticket, "inspect"),
        {"apply": "1", "qc_reference": "QC-77", "qc_note": "", f"sellable_{line.pk}": 1, f"damaged_{line.pk}": 1},
        follow=True,
    )

    assert status_of(ticket) == T.INSPECTED
    assert "Inspect goods — done" in response.content.decode()
    after = StockLevel.objects.get(warehouse=warehouse, sku=skus[0])
    assert (after.on_hand - before.on_hand, after.quarantined - before.quarantined) == (1, 1)


def test_an_inspection_that_does_not_add_up_is_refused_on_the_form_and_changes_nothing(ticket_in_status, warehouse_user):
    ticket = ticket_in_status(T.RECEIVED, quantities={"Red tea": 2})
    line = ticket.lines.get()
    before = snapshot(ticket.order_id)

    response = client_for(warehouse_user).post(
        action_url(ticket, "inspect"),
        {"apply": "1", "qc_reference": "QC-1", f"sellable_{line.pk}": 2, f"damaged_{line.pk}": 1},
    )

    assert response.status_code == 200
    assert "2 units were received" in response.content.decode()
    assert snapshot(ticket.order_id) == before


def test_the_warehouse_never_sees_a_price_or_an_amount_on_the_ticket_screens(ticket_in_status, warehouse_user, service_user):
    ticket = ticket_in_status(T.REFUNDED, quantities={"Red tea": 2})  # refund 18.35 of unit price 9.90
    pages = [LIST, f"{LIST}?q={ticket.number}", page_url(ticket)]

    for url in pages:
        html = client_for(warehouse_user).get(url).content.decode()
        assert ticket.number in html, url
        assert not re.search(r"\b(18\.35|9\.90|19\.80|69\.50)\b", html), url
    assert "18.35" in client_for(service_user).get(page_url(ticket)).content.decode()


@pytest.mark.parametrize(
    ("role", "status", "action"),
    [
        ("Warehouse", T.REQUESTED, "approve"),
        ("Warehouse", T.INSPECTED, "refund"),
        ("Customer service", T.AWAITING_RETURN, "receive"),
        ("Clerk", T.REQUESTED, "reject"),
        ("Finance", T.INSPECTED, "close"),
    ],
)
def test_a_step_posted_by_a_role_that_may_not_take_it_is_refused(ticket_in_status, make_user, role, status, action):
    ticket = ticket_in_status(status)
    before = snapshot(ticket.order_id)

    response = client_for(make_user(role)).post(action_url(ticket, action), {"apply": "1", "reason": "x", "resolution": "x"}, follow=True)

    assert "your role may not" in response.content.decode()
    assert snapshot(ticket.order_id) == before


def test_the_overdue_and_owner_filters(ticket_in_status, service_user, make_user):
    late = ticket_in_status(T.APPROVED)
    ReturnRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    on_time = ticket_in_status(T.APPROVED)
    ReturnRequest.objects.filter(pk=on_time.pk).update(due_at=timezone.now() + timedelta(days=3), owner=make_user("Customer service"))
    client = client_for(service_user)

    overdue = client.get(f"{LIST}?due=overdue").content.decode()
    mine = client.get(f"{LIST}?owner=mine").content.decode()

    assert late.number in overdue and on_time.number not in overdue
    assert "overdue" in client.get(page_url(late)).content.decode()
    assert late.number in mine and on_time.number not in mine


def test_tickets_are_found_by_order_number(ticket_in_status, service_user):
    ticket = ticket_in_status(T.REQUESTED)
    other = ticket_in_status(T.REQUESTED)

    html = client_for(service_user).get(f"{LIST}?q={ticket.order.number}").content.decode()

    assert ticket.number in html and other.number not in html


def test_the_ticket_page_shows_this_tickets_history(ticket_in_status, service_user):
    ticket = ticket_in_status(T.INSPECTED)
    other = ticket_in_status(T.REQUESTED, order=ticket.order, quantities={"Green tea": 1})

    html = client_for(service_user).get(page_url(ticket)).content.decode()

    assert "History of this ticket" in html and "QC-0001" in html
    assert other.number not in html


def test_only_supervisors_edit_the_slas(make_user, service_user):
    url = "/admin/aftersales/ticketsla/"
    sla_id = __import__("aftersales.models", fromlist=["TicketSLA"]).TicketSLA.objects.get(kind="return").pk
    assert client_for(service_user).get(f"{url}{sla_id}/change/").status_code == 200
    client_for(service_user).post(f"{url}{sla_id}/change/", {"hours": 1})
    supervisor = make_user("Supervisor")
    client_for(supervisor).post(f"{url}{sla_id}/change/", {"hours": 72})

    from aftersales.models import TicketSLA

    assert TicketSLA.objects.get(kind="return").hours == 72


def test_opening_a_ticket_from_the_order_page_names_it_with_a_link_and_the_order_page_lists_it(
    two_line_order, service_user, warehouse_user
):
    order = two_line_order()
    red, _green = order.lines.order_by("pk")
    client = client_for(service_user)
    order_page = reverse("admin:orders_order_change", args=[order.pk])

    response = client.post(
        reverse("admin:orders_order_action", args=[order.pk, "open_ticket"]),
        {"apply": "1", "kind": TicketKind.RETURN, "reason": "damaged", "note": "", f"line_{red.pk}": 1, f"line_{_green.pk}": 0},
        follow=True,
    )

    ticket = ReturnRequest.objects.get(order=order)
    link = f'<a href="{page_url(ticket)}">{ticket.number}</a>'
    assert response.redirect_chain[-1][0] == order_page
    assert [str(m) for m in response.context["messages"]] == [f"{order.number}: after-sales ticket {link} opened."]
    html = response.content.decode()
    assert link in html.split('class="messagelist"')[1].split("</ul>")[0]  # a link, not escaped text
    for user in (service_user, warehouse_user):
        page = client_for(user).get(order_page).content.decode()
        assert "After-sales tickets" in page and link in page
