"""The order page's actions: one registry, which the apps above orders fill
(finance: payments and invoices, after-sales: tickets), so that orders' admin
imports neither of them."""

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.admin.actions import TICKET_ACTIONS
from aftersales.models import ReturnRequest
from orders.admin.order_actions import ORDER_ACTIONS, order_buttons
from orders.models import Order, OrderStatus

from ..html_forms import page_forms

ORDERS_ADMIN = Path(__file__).resolve().parents[2] / "orders" / "admin"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", sorted(ORDERS_ADMIN.glob("*.py")), ids=lambda path: path.name)
def test_the_orders_admin_imports_neither_finance_nor_aftersales(path):
    above = {module for module in imported_modules(path) if module.split(".")[0] in ("finance", "aftersales")}

    assert above == set()


@pytest.mark.parametrize(
    ("model", "registry"), [(Order, ORDER_ACTIONS), (ReturnRequest, TICKET_ACTIONS)], ids=["order", "ticket"]
)
def test_every_transition_has_an_action_on_the_page(model, registry):
    transitions = {transition.name for transition in model().get_all_status_transitions()}

    assert {name for name in transitions if name not in registry} == set()


@pytest.mark.django_db
def test_finance_and_aftersales_steps_reach_the_order_page_through_the_registry(order_in_status, supervisor):
    order = order_in_status(OrderStatus.SHIPPED)

    names = [button.name for button in order_buttons(order, supervisor)]

    assert {"issue_invoice", "open_ticket"} <= set(names)
    assert "receive_payment" not in names  # not a B2B order on payment terms


@pytest.mark.django_db
def test_a_registered_step_runs_from_the_order_page(order_in_status, finance_user):
    order = order_in_status(OrderStatus.SHIPPED)
    client = Client()
    client.force_login(finance_user)

    response = client.post(reverse("admin:orders_order_action", args=[order.pk, "issue_invoice"]), {"run": "1"}, follow=True)

    assert response.status_code == 200
    assert order.invoices.count() == 1


# --- the buttons as a browser reads the page (issue 10: nested forms) --------------------------


def order_page_forms(client, order):
    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert response.status_code == 200
    return page_forms(response.content.decode())


def assert_each_step_button_posts_its_own_form(forms, order, user):
    assert forms.nested == []
    posting = [button for button in order_buttons(order, user) if not button.blocked_by and not button.needs_input]
    assert posting, "the page offers no step to click"
    for button in posting:
        clicked = forms.button(button.label)
        assert clicked.form is not None and clicked.form.method == "post"
        assert clicked.form.action == reverse("admin:orders_order_action", args=[order.pk, button.name])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "role"),
    [
        (OrderStatus.PAID, "Clerk"),  # Approve
        (OrderStatus.APPROVED, "Clerk"),  # Allocate stock
        (OrderStatus.ALLOCATED, "Warehouse"),  # Start picking, Undo allocation
        (OrderStatus.PICKING, "Warehouse"),  # Mark packed
        (OrderStatus.DELIVERED, "Clerk"),  # Complete
        (OrderStatus.SHIPPED, "Customer service"),  # Confirm delivery
        (OrderStatus.SHIPPED, "Finance"),  # Issue invoice, registered by finance
    ],
)
def test_each_step_button_on_the_order_page_posts_to_its_action_and_nests_no_form(order_in_status, make_user, status, role):
    order = order_in_status(status)
    user = make_user(role)
    client = Client()
    client.force_login(user)

    forms = order_page_forms(client, order)

    assert_each_step_button_posts_its_own_form(forms, order, user)


@pytest.mark.django_db
def test_save_on_the_order_page_posts_the_change_form(order_in_status, clerk):
    order = order_in_status(OrderStatus.PAID)
    client = Client()
    client.force_login(clerk)

    forms = order_page_forms(client, order)

    change_form = next(form for form in forms.forms if form.id == "order_form")
    assert forms.button("Save").form is change_form
    assert change_form.method == "post" and not change_form.action  # posts to the page itself

