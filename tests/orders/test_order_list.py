"""The order list stays cheap however many orders there are: a fixed number of
queries per page, and counts that never walk a whole big table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.admin.orders import OrderAdmin
from orders.admin.pagination import EstimatedCountPaginator
from orders.models import OrderStatus

from .test_admin_permissions import ORDERS, client_for


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["Clerk", "Warehouse"])
def test_a_page_costs_the_same_queries_with_3_orders_or_20(make_user, order_in_status, role):
    client = client_for(make_user(role))
    pages = (ORDERS, ORDERS + "?status__exact=allocated", ORDERS + "?q=SF")
    for __ in range(3):
        order_in_status(OrderStatus.ALLOCATED)
    for url in pages:  # once per process, the list works out which filter lookups it accepts (core.list_lookups)
        queries_for(client, url)
    few = [queries_for(client, url) for url in pages]

    for __ in range(17):  # 20 allocated orders × 2 units: 40 of the 50 TEA-1 in stock
        order_in_status(OrderStatus.ALLOCATED)
    many = [queries_for(client, url) for url in pages]

    assert many == few


@pytest.fixture
def one_order_a_page(monkeypatch, settings):
    monkeypatch.setattr(OrderAdmin, "list_per_page", 1)
    settings.ORDERDESK_COUNT_CAP = 2


def test_a_filtered_list_is_counted_only_a_little_past_the_page_and_says_so(clerk, order_in_status, one_order_a_page):
    for __ in range(6):
        order_in_status(OrderStatus.PAID)
    client = client_for(clerk)

    capped = client.get(ORDERS + "?status__exact=paid").content.decode()  # page 1 + 2 counted
    exact = client.get(ORDERS + "?status__exact=pending_payment").content.decode()

    assert "more than 3 orders" in capped
    assert "0 orders" in exact and "more than" not in exact


def test_paging_on_past_the_count_reaches_the_last_order(clerk, order_in_status, one_order_a_page):
    orders = [order_in_status(OrderStatus.PAID) for __ in range(6)]
    client = client_for(clerk)

    last_page = client.get(ORDERS + "?status__exact=paid&p=6")

    assert last_page.status_code == 200
    assert [order.pk for order in last_page.context["cl"].result_list] == [orders[0].pk]  # newest first
    assert "6 orders" in last_page.content.decode()


def test_deep_pages_read_keys_first_and_show_the_same_orders(clerk, order_in_status, monkeypatch):
    orders = [order_in_status(OrderStatus.PAID) for __ in range(7)]
    newest_first = [order.pk for order in reversed(orders)]
    monkeypatch.setattr(OrderAdmin, "list_per_page", 2)
    client = client_for(clerk)
    shallow = [client.get(ORDERS + f"?p={page}").context["cl"].result_list for page in (1, 2, 3, 4)]

    monkeypatch.setattr(EstimatedCountPaginator, "deferred_join_from", 2)  # pages 2 on: keys first
    deep = [client.get(ORDERS + f"?p={page}").context["cl"].result_list for page in (1, 2, 3, 4)]

    assert [[order.pk for order in page] for page in deep] == [[order.pk for order in page] for page in shallow]
    assert [order.pk for page in deep for order in page] == newest_first
    assert deep[1][0].channel.name  # the page's joins came along


def test_show_all_is_offered_only_where_it_shows_every_row(clerk, order_in_status, monkeypatch):
    # Django's search bar said "N results (Show all)" on every page — the list counted by
    # the estimating paginator has no full count — and "Show all" led to the same first page.
    monkeypatch.setattr(OrderAdmin, "list_per_page", 2)
    orders = [order_in_status(OrderStatus.PAID) for __ in range(3)]
    client = client_for(clerk)

    unfiltered = client.get(ORDERS).content.decode()
    filtered = client.get(ORDERS + "?status__exact=paid").content.decode()
    show_all = client.get(ORDERS + "?status__exact=paid&all=").content.decode()

    assert "Show all" not in unfiltered.split('id="toolbar"')[1].split("</form>")[0]
    assert "3 results (<a href=\"?\">clear search and filters</a>)" in filtered
    assert 'href="?all=&amp;status__exact=paid" class="showall">Show all</a>' in filtered
    assert all(order.number in show_all for order in orders)
