"""Customers, channels, SKUs, warehouses and suppliers change only through
their services, each change recorded with who made it and every field's old
and new value, and shown on the record's admin page."""

import threading
from io import StringIO
import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from core.errors import DomainError, NotPermitted
from core.models import RecordChange
from inventory import services as inventory_services
from inventory.models import SKU, StockLevel, Supplier, Warehouse
from orders import services as order_services
from orders.models import Channel, Customer

from ..factories import ChannelFactory, CustomerFactory, SKUFactory, SupplierFactory, WarehouseFactory


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(response) -> dict:
    """What the admin page's form would post unchanged: its fields' values and its inlines' management forms."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value not in (None, False):
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    return data


def changes_of(record) -> list[RecordChange]:
    content_type = ContentType.objects.get_for_model(record)
    return list(RecordChange.objects.filter(content_type=content_type, object_id=record.pk))


# (admin URL name, who may edit, how to make one, a field, the value posted, stored before → after)
EDITS = {
    "customer": (
        "orders_customer",
        "Finance",
        lambda: CustomerFactory(business=True, name="Acme buyer", credit_limit=Decimal("5000.00")),
        "credit_limit",
        "8000",
        ["5000.00", "8000.00"],
    ),
    "channel": (
        "orders_channel",
        "Supervisor",
        lambda: ChannelFactory(name="JD shop"),
        "name",
        "JD flagship",
        ["JD shop", "JD flagship"],
    ),
    "sku": (
        "inventory_sku",
        "Supervisor",
        lambda: SKUFactory(code="TEA-9", name="Tea sampler"),
        "name",
        "Tea sampler, large",
        ["Tea sampler", "Tea sampler, large"],
    ),
    "warehouse": (
        "inventory_warehouse",
        "Supervisor",
        lambda: WarehouseFactory(code="bj", name="Beijing", priority=30),
        "priority",
        "5",
        [30, 5],
    ),
    "supplier": (
        "inventory_supplier",
        "Supervisor",
        lambda: SupplierFactory(name="Hangzhou Tea Co.", lead_time_days=7),
        "lead_time_days",
        "12",
        [7, 12],
    ),
    "stock level": (
        "inventory_stocklevel",
        "Warehouse",
        lambda: StockLevel.objects.create(warehouse=WarehouseFactory(code="sz"), sku=SKUFactory(code="TEA-8"), safety_stock=3),
        "safety_stock",
        "10",
        [3, 10],
    ),
}


def edit_through_admin(client, url_name, record, field, value):
    url = reverse(f"admin:{url_name}_change", args=[record.pk])
    data = {**form_data(client.get(url)), field: value}
    return client.post(url, data)


@pytest.mark.parametrize("entity", EDITS)
def test_an_admin_edit_records_who_changed_which_field_from_what_to_what(entity, make_user):
    url_name, role, make, field, value, (old, new) = EDITS[entity]
    user, record = make_user(role), make()

    response = edit_through_admin(client_for(user), url_name, record, field, value)

    assert response.status_code == 302, response.context["adminform"].form.errors
    (change,) = changes_of(record)
    assert (change.action, change.actor, change.changes) == (RecordChange.Action.CHANGED, user, {field: [old, new]})


@pytest.mark.parametrize("entity", EDITS)
def test_a_role_without_the_permission_is_refused_and_nothing_is_recorded(entity, make_user, supervisor):
    url_name, _role, make, field, value, _stored = EDITS[entity]
    clerk, record = make_user("Clerk"), make()  # the Clerk views them all, changes none
    url = reverse(f"admin:{url_name}_change", args=[record.pk])
    data = {**form_data(client_for(supervisor).get(url)), field: value}

    assert client_for(clerk).post(url, data).status_code == 403
    assert changes_of(record) == []


@pytest.mark.parametrize("entity", EDITS)
def test_the_history_shows_on_the_page_and_on_the_history_page(entity, make_user):
    url_name, role, make, field, value, _stored = EDITS[entity]
    user, record = make_user(role, username="editor"), make()
    client = client_for(user)
    edit_through_admin(client, url_name, record, field, value)
    label = str(record._meta.get_field(field).verbose_name)

    for page in ("change", "history"):
        response = client.get(reverse(f"admin:{url_name}_{page}", args=[record.pk]))
        (row,) = response.context["record_history"]
        assert (row["actor"], row["field"].lower()) == ("editor", label.lower())
        html = response.content.decode()
        assert 'class="module od-record-history"' in html and "<td class=\"od-who\">editor</td>" in html


ADDITIONS = {
    "customer": ("orders_customer", Customer, {"name": "New buyer", "grade": "a", "phone": "13900001111"}),
    "channel": (
        "orders_channel",
        Channel,
        {"code": "dy", "name": "Douyin shop", "platform": "douyin", "default_currency": "CNY"},
    ),
    "sku": (
        "inventory_sku",
        SKU,
        {"code": "TEA-NEW", "name": "New tea", "aliases-TOTAL_FORMS": 0, "aliases-INITIAL_FORMS": 0},
    ),
    "warehouse": (
        "inventory_warehouse",
        Warehouse,
        {"code": "cd", "name": "Chengdu", "regions": '["四川"]', "priority": 40},
    ),
    "supplier": ("inventory_supplier", Supplier, {"code": "yunnan", "name": "Yunnan Tea", "lead_time_days": 14}),
}


@pytest.mark.parametrize("entity", ADDITIONS)
def test_an_admin_addition_is_recorded_with_the_values_it_was_given(entity, supervisor):
    url_name, model, data = ADDITIONS[entity]

    response = client_for(supervisor).post(reverse(f"admin:{url_name}_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    (change,) = changes_of(model.objects.get(name=data["name"]))
    assert change.action == RecordChange.Action.CREATED and change.actor == supervisor
    assert change.changes["name"] == [None, data["name"]]


# --- the services ---------------------------------------------------------------------


def test_a_value_equal_to_the_current_one_is_no_change(finance_user):
    customer = CustomerFactory(business=True, credit_limit=Decimal("5000.00"))

    order_services.customer_update(
        actor=finance_user, customer_id=customer.pk, values={"credit_limit": Decimal("5000")}
    )

    assert changes_of(customer) == []


def test_a_related_record_is_recorded_by_its_name(supervisor):
    sku = SKUFactory(supplier=SupplierFactory(name="Old Tea Co."))
    new_supplier = SupplierFactory(name="New Tea Co.")

    inventory_services.sku_update(actor=supervisor, sku_id=sku.pk, values={"supplier": new_supplier})

    (change,) = changes_of(sku)
    assert change.changes == {"supplier": ["Old Tea Co.", "New Tea Co."]}
    sku.refresh_from_db()
    assert sku.supplier == new_supplier


def test_an_invalid_edit_is_refused_and_nothing_changes(supervisor):
    WarehouseFactory(code="sh")
    warehouse = WarehouseFactory(code="bj")

    with pytest.raises(DomainError):
        inventory_services.warehouse_update(actor=supervisor, warehouse_id=warehouse.pk, values={"code": "sh"})

    warehouse.refresh_from_db()
    assert warehouse.code == "bj" and changes_of(warehouse) == []


@pytest.mark.parametrize(
    ("service", "arguments"),
    [
        (order_services.channel_update, {"channel_id": 0, "values": {"name": "x"}}),
        (order_services.customer_create, {"values": {"name": "x"}}),
        (inventory_services.sku_update, {"sku_id": 0, "values": {"name": "x"}}),
        (inventory_services.warehouse_create, {"values": {"code": "x", "name": "x"}}),
        (inventory_services.supplier_update, {"supplier_id": 0, "values": {"name": "x"}}),
    ],
)
def test_the_services_refuse_a_role_without_the_permission(service, arguments, clerk):
    before = RecordChange.objects.count()  # the role groups' own history, from setting them up
    with pytest.raises(NotPermitted):
        service(actor=clerk, **arguments)
    assert RecordChange.objects.count() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_edit_waiting_for_another_records_the_value_that_one_left(roles, make_user):
    """Without the row lock the second edit would read 5000.00 (the first one
    not committed yet) and record 5000.00 → 7000.00, hiding the 6000.00."""
    finance = make_user("Finance")
    customer = CustomerFactory(business=True, credit_limit=Decimal("5000.00"))
    first_saved, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                order_services.customer_update(
                    actor=finance, customer_id=customer.pk, values={"credit_limit": Decimal("6000")}
                )
                first_saved.set()
                time.sleep(0.5)  # the second edit starts meanwhile and must wait
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    def second():
        try:
            first_saved.wait(timeout=10)
            order_services.customer_update(
                actor=finance, customer_id=customer.pk, values={"credit_limit": Decimal("7000")}
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert [change.changes for change in reversed(changes_of(customer))] == [
        {"credit_limit": ["5000.00", "6000.00"]},
        {"credit_limit": ["6000.00", "7000.00"]},
    ]


def test_setup_roles_records_each_group_it_corrects_with_the_old_and_new_permissions(roles):
    clerk = Group.objects.get(name="Clerk")
    removed = clerk.permissions.get(codename="approve_order")
    clerk.permissions.remove(removed)
    earlier = len(changes_of(clerk))  # the group's creation, when the test database was set up
    out = StringIO()

    call_command("setup_roles", stdout=out)

    change = changes_of(clerk)[0]  # newest first
    old, new = change.changes["permissions"]
    assert "orders.approve_order" not in old and "orders.approve_order" in new
    assert "1 groups changed" in out.getvalue()
    call_command("setup_roles", stdout=StringIO())
    assert len(changes_of(clerk)) == earlier + 1  # a second run changes nothing, records nothing


def test_a_role_edited_in_the_admin_records_the_permissions_added_and_removed(roles, superuser):
    clerk_role = Group.objects.get(name="Clerk")
    earlier = len(changes_of(clerk_role))
    client = client_for(superuser)
    url = reverse("admin:auth_group_change", args=[clerk_role.pk])
    data = form_data(client.get(url))
    approve = str(clerk_role.permissions.get(codename="approve_order").pk)
    data["permissions"] = [pk for pk in data["permissions"] if str(pk) != approve]

    assert client.post(url, data).status_code == 302

    change = changes_of(clerk_role)[0]
    assert len(changes_of(clerk_role)) == earlier + 1 and change.actor == superuser
    old, new = change.changes["permissions"]
    assert "orders.approve_order" in old and "orders.approve_order" not in new
    assert "−orders.approve_order" in client.get(url).content.decode()
