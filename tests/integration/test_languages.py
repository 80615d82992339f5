"""The admin in Simplified Chinese, as a user meets it.

A browser that asks for Chinese ("zh-hans", or "zh-CN" as browsers send it)
gets the order screens in Chinese, any other browser gets them in English;
the language menu (/i18n/setlang/) overrides the browser for that session;
buttons, the timeline and the services' refusals follow the language too.
The last tests check the catalogue itself: every entry translated, the
placeholders kept, and the committed .mo compiled from the current .po (a
fresh machine has no gettext to compile it).
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from orders.models import OrderStatus

ORDERS = "/admin/orders/order/"
# What Chrome and Edge send on a Chinese (PRC) system.
CHROME_ZH_CN = "zh-CN,zh;q=0.9,en;q=0.8"
CHINESE_BROWSERS = ["zh-hans", "zh-Hans", "zh-CN", CHROME_ZH_CN]
OTHER_BROWSERS = [None, "en", "en-US,en;q=0.9", "fr-FR,fr;q=0.9"]

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    # The test client runs requests in this thread and LocaleMiddleware leaves
    # the last request's language active: later tests expect the default.
    yield
    translation.deactivate()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def browser(accept_language) -> dict:
    return {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}


def choose_language(client: Client, language: str, next_url: str = ORDERS, **headers):
    """What the language menu in the admin header does."""
    response = client.post(reverse("set_language"), {"language": language, "next": next_url}, **headers)
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def change_url(order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def action_url(order, action: str) -> str:
    return reverse("admin:orders_order_action", args=[order.pk, action])


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def status_of(order) -> str:
    return type(order).objects.values_list("status", flat=True).get(pk=order.pk)


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def paid_order(order_in_status):
    return order_in_status(OrderStatus.PAID)


# --- the browser's language ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", CHINESE_BROWSERS)
def test_a_chinese_browser_gets_the_order_list_in_chinese(clerk, paid_order, accept_language):
    response = client_for(clerk).get(ORDERS, **browser(accept_language))
    html = page(response)

    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in html
    # The model's name, the columns, the status of the order, filters and bulk actions.
    assert re.search(r"<title>[^<]*订单[^<]*</title>", html)  # Django's "Select order to change"
    for column in ("订单号", "平台订单号", "收货人", "状态", "订单总额", "下单时间"):
        assert column in html
    assert f'<span class="od-status od-status-{OrderStatus.PAID}">已付款</span>' in html
    assert "有未处理异常" in html and "待付款" in html
    assert "审核所选订单" in html and "为所选订单分配库存" in html
    assert ">Paid<" not in html and "Order number" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", OTHER_BROWSERS)
def test_any_other_browser_gets_the_order_list_in_english(clerk, paid_order, accept_language):
    response = client_for(clerk).get(ORDERS, **browser(accept_language))
    html = page(response)

    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in html
    assert "Order number" in html and "Approve selected orders" in html
    assert f'<span class="od-status od-status-{OrderStatus.PAID}">Paid</span>' in html
    assert "已付款" not in html and "订单号" not in html


@pytest.mark.parametrize("accept_language", ["zh-CN", "zh-cn", CHROME_ZH_CN, "zh-Hans-CN", "zh-SG"])
def test_the_browsers_zh_cn_maps_to_simplified_chinese(accept_language):
    # Django's own mapping (LANG_INFO "zh-cn" → fallback "zh-hans") with our LANGUAGES:
    # no extra setting is needed for the codes mainland browsers send.
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert translation.get_language_from_request(request) == "zh-hans"
    assert translation.get_supported_language_variant("zh-CN") == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("Paid") == "已付款"
        assert str(OrderStatus.PAID.label) == "已付款"


# --- the language menu ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_header_offers_the_language_menu(clerk):
    html = page(client_for(clerk).get(ORDERS, HTTP_ACCEPT_LANGUAGE="en"))

    assert f'action="{reverse("set_language")}"' in html
    assert '<option value="zh-hans">简体中文</option>' in html
    assert '<option value="en" selected>English</option>' in html


@pytest.mark.django_db
def test_choosing_chinese_switches_the_admin_for_that_session_whatever_the_browser_says(clerk, paid_order):
    client = client_for(clerk)
    choose_language(client, "zh-hans", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    for url in (ORDERS, change_url(paid_order)):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        html = page(response)
        assert response["Content-Language"] == "zh-hans"
        assert "已付款" in html
        assert '<option value="zh-hans" selected>简体中文</option>' in html

    # Only this browser's session: another user's browser stays in its own language.
    assert "已付款" not in page(client_for(clerk).get(ORDERS, HTTP_ACCEPT_LANGUAGE="en"))

    # And back to English, though this browser asks for Chinese.
    choose_language(client, "en", HTTP_ACCEPT_LANGUAGE=CHROME_ZH_CN)
    response = client.get(ORDERS, HTTP_ACCEPT_LANGUAGE=CHROME_ZH_CN)
    assert response["Content-Language"] == "en"
    assert ">Paid</span>" in page(response)


# --- the order page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_order_page_buttons_and_timeline_are_in_chinese(clerk, paid_order):
    client = client_for(clerk)
    choose_language(client, "zh-hans")
    html = page(client.get(change_url(paid_order)))

    # The buttons (a paid order, as the clerk sees it) ...
    assert 'aria-label="订单操作"' in html
    assert 'value="1">审核</button>' in html
    for needs_input in ("挂起…", "取消订单…", "标记异常…"):
        assert f"{needs_input}</a>" in html
    # ... the sections of the form ...
    for heading in ("收货信息", "金额", "履约信息", "留言与备注", "时间节点"):
        assert heading in html
    # ... and the timeline: headings, events, and status changes in the details.
    assert "<h2>操作日志</h2>" in html
    assert "<th>时间</th><th>事件</th><th>操作人</th><th>详情</th>" in html
    assert "<td>订单创建</td>" in html and "<td>收到付款</td>" in html
    assert "待付款 → 已付款" in html
    assert "Timeline" not in html and "Payment received" not in html and ">Approve<" not in html


@pytest.mark.django_db
def test_the_same_order_page_in_english(clerk, paid_order):
    html = page(client_for(clerk).get(change_url(paid_order), HTTP_ACCEPT_LANGUAGE="en"))

    assert 'value="1">Approve</button>' in html and "Put on hold" not in html
    assert "<h2>Timeline</h2>" in html and "<td>Payment received</td>" in html
    assert "Pending payment → Paid" in html
    assert "操作日志" not in html


@pytest.mark.django_db
def test_a_blocked_button_says_why_in_chinese(clerk, order_in_status):
    order = order_in_status(OrderStatus.PAID, ship_address="")
    client = client_for(clerk)
    choose_language(client, "zh-hans")
    html = page(client.get(change_url(order)))

    assert 'title="收货地址不完整。">审核</button>' in html
    assert "审核: 收货地址不完整。" in html


@pytest.mark.django_db
def test_an_action_form_is_in_chinese(clerk, paid_order):
    client = client_for(clerk)
    choose_language(client, "zh-hans")
    html = page(client.get(action_url(paid_order, "hold")))

    assert '<label for="id_reason">原因' in html
    assert 'value="挂起"' in html and ">返回</a>" in html


# --- the services' messages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_transition_is_explained_in_chinese(clerk, order_in_status):
    order = order_in_status(OrderStatus.PENDING_PAYMENT)
    client = client_for(clerk)
    choose_language(client, "zh-hans")

    response = client.post(action_url(order, "approve"), follow=True)

    expected = f"{order.number}：订单当前状态为“待付款”，无法执行“审核”。"
    assert shown_messages(response) == [expected]
    assert expected in page(response)
    assert status_of(order) == OrderStatus.PENDING_PAYMENT


@pytest.mark.django_db
def test_the_same_refusal_in_english(clerk, order_in_status):
    order = order_in_status(OrderStatus.PENDING_PAYMENT)
    response = client_for(clerk).post(action_url(order, "approve"), follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert shown_messages(response) == [
        f"{order.number}: “Approve” is not possible while the order is Pending payment."
    ]


@pytest.mark.django_db
def test_a_role_refusal_and_an_unmet_condition_are_explained_in_chinese(warehouse_user, clerk, order_in_status):
    paid = order_in_status(OrderStatus.PAID)
    incomplete = order_in_status(OrderStatus.PAID, ship_address="")

    warehouse_client = client_for(warehouse_user)
    choose_language(warehouse_client, "zh-hans")
    response = warehouse_client.post(action_url(paid, "approve"), follow=True)
    assert shown_messages(response) == [f"{paid.number}：您的角色无权执行“审核”。"]

    clerk_client = client_for(clerk)
    choose_language(clerk_client, "zh-hans")
    response = clerk_client.post(action_url(incomplete, "approve"), follow=True)
    assert shown_messages(response) == [f"{incomplete.number}：无法执行“审核”：收货地址不完整。"]


@pytest.mark.django_db
def test_done_and_failed_in_a_bulk_action_are_reported_in_chinese(clerk, order_in_status):
    paid = order_in_status(OrderStatus.PAID)
    unpaid = order_in_status(OrderStatus.PENDING_PAYMENT)
    client = client_for(clerk)
    choose_language(client, "zh-hans")

    response = client.post(ORDERS, {"action": "bulk_approve", "_selected_action": [paid.pk, unpaid.pk]}, follow=True)

    done, failed = shown_messages(response)
    assert done == "审核：1 个订单操作成功。"
    assert failed.startswith("审核：1 个订单操作失败：")
    assert f"{unpaid.number}：订单当前状态为“待付款”，无法执行“审核”。" in failed


@pytest.mark.django_db
def test_a_successful_action_is_confirmed_in_chinese(clerk, paid_order):
    client = client_for(clerk)
    choose_language(client, "zh-hans")

    response = client.post(action_url(paid_order, "approve"), follow=True)

    assert shown_messages(response) == [f"{paid_order.number}：“审核”操作成功。"]
    assert "<td>已审核</td>" in page(response)  # and the timeline has the new event


# --- the catalogue ---------------------------------------------------------------------------------

PO_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")


def po_entries(path: Path) -> list[dict]:
    """The live entries of a .po file: {"flags": set, "msgid": str, "msgstr": str, ...}."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, key = {"flags": set()}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue  # comments, references, obsolete (#~) entries
            elif match := PO_LINE.match(line):
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_the_chinese_catalogue_is_complete_and_keeps_every_placeholder():
    entries = po_entries(CATALOGUE / "django.po")
    header, messages = entries[0], entries[1:]

    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: zh_Hans\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    assert len(messages) > 300

    untranslated = [entry["msgid"] for entry in messages if not all(translations(entry))]
    fuzzy = [entry["msgid"] for entry in messages if "fuzzy" in entry["flags"]]
    assert untranslated == [] and fuzzy == []
    for entry in messages:
        if "msgid_plural" in entry:
            assert set(entry) - {"flags", "msgctxt"} == {"msgid", "msgid_plural", "msgstr[0]"}, entry["msgid"]
        if "python-format" in entry["flags"]:
            wanted = sorted(set(PLACEHOLDER.findall(entry["msgid"])))
            for text in translations(entry):
                assert sorted(set(PLACEHOLDER.findall(text))) == wanted, entry["msgid"]


def test_the_committed_mo_is_compiled_from_the_current_po():
    with open(CATALOGUE / "django.mo", "rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)._catalog

    for entry in po_entries(CATALOGUE / "django.po")[1:]:
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        if "msgid_plural" in entry:
            assert compiled.get((key, 0)) == entry["msgstr[0]"], entry["msgid"]
        else:
            assert compiled.get(key) == entry["msgstr"], entry["msgid"]
