"""What frames every page (issue 10): a refused page in the admin's look with
a way back, the warehouse screens reachable from the admin, and the
warehouse screens' own header offering the language menu and logging out."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from orders.models import OrderStatus

SETTLEMENTS = "/admin/finance/settlementbatch/"


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    yield
    translation.deactivate()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_refused_page_is_styled_like_the_admin_and_leads_back(warehouse_user):
    response = client_for(warehouse_user).get(SETTLEMENTS, HTTP_REFERER="/admin/orders/order/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "admin/css/base.css" in html and "<h1>Not allowed</h1>" in html
    assert '<a href="/admin/orders/order/">Back to the previous page</a>' in html
    assert f'<a href="{reverse("admin:index")}">Back to the start page</a>' in html
    assert f'<a href="{reverse("warehouse:home")}">Warehouse screens</a>' in html
    assert f'action="{reverse("admin:logout")}"' in html and f'action="{reverse("set_language")}"' in html


def test_a_refused_page_is_in_chinese_for_a_chinese_browser(clerk):
    response = client_for(clerk).get(reverse("warehouse:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>无权访问</h1>" in html and "返回首页" in html
    assert f'href="{reverse("warehouse:home")}"' not in html  # a clerk may not use them: no link there


@pytest.mark.parametrize("role, linked", [("Warehouse", True), ("Supervisor", True), ("Clerk", False), ("Finance", False)])
def test_the_admin_header_links_the_warehouse_screens_for_the_roles_that_use_them(make_user, role, linked):
    html = client_for(make_user(role)).get(reverse("admin:index")).content.decode()

    assert (f'href="{reverse("warehouse:home")}"' in html) is linked


def test_the_warehouse_screens_offer_the_language_menu_and_log_out(warehouse_user):
    client = client_for(warehouse_user)

    html = client.get(reverse("warehouse:home")).content.decode()

    assert f'action="{reverse("set_language")}"' in html and 'name="language"' in html
    assert f'action="{reverse("admin:logout")}"' in html
    client.post(reverse("admin:logout"))
    assert client.get(reverse("warehouse:home")).status_code == 302  # logged out: back to the login page


def test_the_warehouse_home_counts_packed_orders_in_chinese_as_packed_not_packing_time(warehouse_user, warehouse):
    html = client_for(warehouse_user).get(reverse("warehouse:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "</strong> 已打包</span>" in html and "打包时间" not in html


def test_an_empty_choice_reads_select_an_option_in_chinese(clerk, order_in_status):
    order = order_in_status(OrderStatus.PAID)
    html = client_for(clerk).get(reverse("admin:orders_order_change", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "- 请选择 -" in html.content.decode() and "Select an option" not in html.content.decode()
