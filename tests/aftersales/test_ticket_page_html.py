"""The ticket page's buttons as a browser reads them (issue 10): each step button
posts its own form, placed outside the change form (a nested <form> is dropped
by the browser, so the button would post the change form instead: a bare 403)."""

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.admin.actions import ticket_buttons
from aftersales.models import ReturnStatus, TicketKind

from ..html_forms import page_forms


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "kind"),
    [
        ("Customer service", ReturnStatus.REQUESTED, TicketKind.RETURN),  # Approve
        ("Customer service", ReturnStatus.APPROVED, TicketKind.RESHIP),  # Reship
    ],
)
def test_each_step_button_on_the_ticket_page_posts_to_its_action_and_nests_no_form(
    ticket_in_status, make_user, role, status, kind
):
    ticket = ticket_in_status(status, kind=kind)
    user = make_user(role)
    client = Client()
    client.force_login(user)

    response = client.get(reverse("admin:aftersales_returnrequest_change", args=[ticket.pk]))
    forms = page_forms(response.content.decode())

    assert forms.nested == []
    posting = [button for button in ticket_buttons(ticket, user) if not button.blocked_by and not button.needs_input]
    assert posting, "the page offers no step to click"
    for button in posting:
        clicked = forms.button(button.label)
        assert clicked.form is not None and clicked.form.method == "post"
        assert clicked.form.action == reverse("admin:aftersales_returnrequest_action", args=[ticket.pk, button.name])
