"""The warehouse screens in a real browser (issue 10): what only a browser
shows — how the A4 pick list lays out when printed."""

import pytest

from inventory.models import StockLevel
from orders import services
from orders.models import OrderStatus
from orders.services import LineInput

from ..browser import chromium_or_skip, chromium_page, log_in

pytestmark = pytest.mark.django_db(transaction=True)

LONG_BIN = "A-01-02-03"
LONG_SKU = "TEA-GIFT-BOX-LARGE-2026"


@pytest.fixture(autouse=True)
def _chromium():
    chromium_or_skip()


@pytest.fixture
def wave(order_in_status, skus, warehouse, warehouse_user):
    sku = skus[0]
    sku.code = LONG_SKU
    sku.name = "Tea gift box with a long name that takes the room a narrow page has left"
    sku.save()
    StockLevel.objects.filter(warehouse=warehouse, sku=sku).update(location=LONG_BIN)
    orders = [
        order_in_status(OrderStatus.ALLOCATED, lines=[LineInput(title=sku.name, quantity=1, unit_price=1, sku=sku)])
        for __ in range(2)
    ]
    return services.wave_create(actor=warehouse_user, warehouse=warehouse, order_ids=[o.pk for o in orders])


LINES_OF = """code => {
  const cell = [...document.querySelectorAll('td.wh-code')].find(td => td.textContent.trim() === code);
  const range = document.createRange();
  range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
}"""


def test_the_printed_pick_list_keeps_codes_whole_and_headings_with_their_tables(live_server, wave, warehouse_user):
    with chromium_page(live_server.url) as page:
        log_in(page, warehouse_user.username)
        page.set_viewport_size({"width": 480, "height": 800})  # a narrow page: columns shrink to their words
        page.goto(f"/warehouse/waves/{wave.number}/")
        page.emulate_media(media="print")
        lines = {code: page.evaluate(LINES_OF, code) for code in (LONG_BIN, LONG_SKU)}
        heading_breaks = page.evaluate(
            "[...document.querySelectorAll('h2')].map(h => [h.textContent, getComputedStyle(h).breakAfter])"
        )

    assert lines == {LONG_BIN: 1, LONG_SKU: 1}
    assert heading_breaks == [["Orders in this wave", "avoid"]]


@pytest.fixture
def picking(order_in_status, skus, warehouse, warehouse_user):
    sku = skus[0]
    order = order_in_status(OrderStatus.ALLOCATED, lines=[LineInput(title=sku.name, quantity=2, unit_price=1, sku=sku)])
    services.wave_create(actor=warehouse_user, warehouse=warehouse, order_ids=[order.pk])
    return order


def test_the_warehouse_packs_with_the_scanner_keeps_its_count_when_refused_and_ships(
    live_server, picking, warehouse, warehouse_user
):
    with chromium_page(live_server.url) as page:
        log_in(page, warehouse_user.username)
        page.goto(f"/warehouse/{warehouse.code}/pack/")
        page.fill("#scan", picking.number)
        page.press("#scan", "Enter")
        page.wait_for_url(f"**/warehouse/pack/{picking.number}/")
        page.fill("#item-scan", "TEA-1")
        page.press("#item-scan", "Enter")  # one of the two units scanned
        page.click("#packed")
        page.wait_for_load_state()
        refused = page.locator(".wh-messages li").all_inner_texts()
        kept = page.locator("input[type=number]").input_value()

        page.fill("#item-scan", "TEA-1")
        page.press("#item-scan", "Enter")  # the second unit, on top of the one kept
        page.click("#packed")
        page.wait_for_url(f"**/warehouse/{warehouse.code}/pack/?slip={picking.number}")

        page.goto(f"/warehouse/{warehouse.code}/ship/?scan={picking.number}")
        page.fill("#carrier", "SF Express")
        page.fill("#tracking", "SF5550001")
        page.press("#tracking", "Enter")
        page.wait_for_url(f"**/warehouse/{warehouse.code}/ship/")
        shipped = page.locator(".wh-messages li").all_inner_texts()

    assert refused == ["Not every unit is checked: TEA-1: 1 of 2 checked."]
    assert kept == "1"
    assert shipped == [f"{picking.number} shipped with SF Express SF5550001."]
