"""A customer's fields on the Customers screens, role by role: which a role
sees (list, page, history), sets and searches or filters by. The same scope
as on the orders: Finance sees no phone; Finance sets the credit limit, a
Supervisor the payment terms."""

from decimal import Decimal

import pytest
from django.contrib.admin.utils import flatten_fieldsets
from django.test import Client
from django.urls import reverse

from core.errors import NotPermitted
from orders import services

from ..factories import CustomerFactory

CLERK, SERVICE, FINANCE, SUPERVISOR = "Clerk", "Customer service", "Finance", "Supervisor"
PHONE = "13955501234"
CUSTOMERS = "/admin/orders/customer/"

# role: {field: (visible, editable, searchable)}
# (searchable None: not a search field for anyone.) Clerk and Customer service only view customers.
MATRIX = {
    CLERK: {
        "name": (True, False, True),
        "phone": (True, False, True),
        "credit_limit": (True, False, None),
        "payment_terms_days": (True, False, None),
    },
    SERVICE: {
        "name": (True, False, True),
        "phone": (True, False, True),
        "credit_limit": (True, False, None),
        "payment_terms_days": (True, False, None),
    },
    FINANCE: {
        "name": (True, True, True),
        "phone": (False, False, False),
        "credit_limit": (True, True, None),
        "payment_terms_days": (True, False, None),
    },
    SUPERVISOR: {
        "name": (True, True, True),
        "phone": (True, True, True),
        "credit_limit": (True, True, None),
        "payment_terms_days": (True, True, None),
    },
}
CASES = [(role, field, *scope) for role, fields in MATRIX.items() for field, scope in fields.items()]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def customer(db):
    return CustomerFactory(
        business=True, name="Acme buyer", phone=PHONE, credit_limit=Decimal("5000.00"), payment_terms_days=30
    )


@pytest.mark.parametrize(("role", "field", "visible", "editable", "searchable"), CASES)
def test_customer_field_scope(role, field, visible, editable, searchable, make_user, customer):
    client = client_for(make_user(role))

    page = client.get(reverse("admin:orders_customer_change", args=[customer.pk]))
    admin_form = page.context["adminform"]
    assert (field in flatten_fieldsets(admin_form.fieldsets)) is visible
    assert (field in admin_form.form.fields) is editable
    listed = client.get(CUSTOMERS).content.decode()
    assert (f"column-{field}" in listed) is visible

    if searchable is not None:
        term = PHONE if field == "phone" else customer.name
        found = client.get(CUSTOMERS, {"q": term}).context["cl"].result_count
        assert found == (1 if searchable else 0)


def test_warehouse_never_opens_customers(warehouse_user, customer):
    client = client_for(warehouse_user)
    assert client.get(CUSTOMERS).status_code == 403
    assert client.get(reverse("admin:orders_customer_change", args=[customer.pk])).status_code == 403


@pytest.mark.parametrize("lookup", ["phone", "phone__startswith", "credit_limit__gte"])
def test_no_role_probes_fields_through_lookups_the_list_does_not_offer(lookup, finance_user, customer):
    response = client_for(finance_user).get(CUSTOMERS, {lookup: PHONE[:3]})

    assert response.status_code == 400  # a lookup the list does not offer: refused, not answered


def test_finance_sees_no_phone_in_the_history(finance_user, supervisor, customer):
    services.customer_update(
        actor=supervisor, customer_id=customer.pk, values={"phone": "13955509999", "credit_limit": Decimal("6000")}
    )

    for page in ("change", "history"):
        response = client_for(finance_user).get(reverse(f"admin:orders_customer_{page}", args=[customer.pk]))
        html = response.content.decode()
        assert [str(row["field"]) for row in response.context["record_history"]] == ["Credit limit"]
        assert PHONE not in html and "13955509999" not in html


def test_a_change_of_hidden_fields_only_is_left_out_of_the_history(finance_user, supervisor, customer):
    services.customer_update(actor=supervisor, customer_id=customer.pk, values={"phone": "13955509999"})

    response = client_for(finance_user).get(reverse("admin:orders_customer_change", args=[customer.pk]))

    assert response.context["record_history"] == []


def test_finance_posting_a_phone_or_payment_terms_changes_neither(finance_user, customer):
    url = reverse("admin:orders_customer_change", args=[customer.pk])
    data = {
        **{field: getattr(customer, field) for field in ("name", "company", "grade", "email")},
        "is_business": "on",
        "credit_limit": "9000",
        "phone": "13000000000",  # not on Finance's form: ignored
        "payment_terms_days": "90",  # read-only for Finance: ignored
    }

    assert client_for(finance_user).post(url, data).status_code == 302

    customer.refresh_from_db()
    assert (customer.phone, customer.payment_terms_days, customer.credit_limit) == (PHONE, 30, Decimal("9000.00"))


@pytest.mark.parametrize("values", [{"phone": "13000000000"}, {"payment_terms_days": 60}])
def test_the_service_refuses_finance_a_phone_or_payment_terms(values, finance_user, customer):
    with pytest.raises(NotPermitted):
        services.customer_update(actor=finance_user, customer_id=customer.pk, values=values)


def test_the_service_takes_finance_sending_the_payment_terms_unchanged(finance_user, customer):
    services.customer_update(
        actor=finance_user, customer_id=customer.pk, values={"payment_terms_days": 30, "credit_limit": Decimal("7000")}
    )

    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("7000.00")
