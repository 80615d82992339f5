"""Phones, one-string addresses, status words and tracking numbers as the platforms write them."""

import pytest

from orders.importers.cleaning import phone, province_short, split_cn_address, status_key, tracking_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("８６１３８００１３８０００", "13800138000"),  # full-width digits
        ("138****8000", "138****8000"),  # masked by the platform: kept as given
        ("+1 (217) 555-0100", "+12175550100"),  # other countries keep their +
        ("021-6888 8888", "02168888888"),
    ],
)
def test_phone_numbers_are_normalised(text, expected):
    assert phone(text) == expected


@pytest.mark.parametrize(
    ("text", "province", "city", "district", "street", "postcode"),
    [
        ("上海 上海市 浦东新区 世纪大道100号(200120)", "上海", "上海市", "浦东新区", "世纪大道100号", "200120"),
        ("广西壮族自治区 南宁市 青秀区 民族大道1号", "广西", "南宁市", "青秀区", "民族大道1号", ""),
        ("江苏省南京市玄武区中山路1号", "江苏", "南京市", "玄武区", "中山路1号", ""),
        ("北京朝阳区建国路88号", "北京", "北京市", "朝阳区", "建国路88号", ""),
        ("黑龙江省 哈尔滨市 南岗区 西大直街1号", "黑龙江", "哈尔滨市", "南岗区", "西大直街1号", ""),
        ("内蒙古自治区呼和浩特市新城区新华大街1号", "内蒙古", "呼和浩特市", "新城区", "新华大街1号", ""),
        ("Somewhere without a province", "", "", "", "Somewhere without a province", ""),
    ],
)
def test_one_string_addresses_are_split_and_nothing_is_lost(text, province, city, district, street, postcode):
    assert split_cn_address(text) == {
        "ship_province": province,
        "ship_city": city,
        "ship_district": district,
        "ship_address": street,
        "ship_postcode": postcode,
    }


@pytest.mark.parametrize(("text", "expected"), [("上海市", "上海"), ("江苏省", "江苏"), ("新疆维吾尔自治区", "新疆"), ("Ontario", "Ontario")])
def test_province_names_are_shortened_to_the_regions_warehouses_serve(text, expected):
    assert province_short(text) == expected


def test_status_words_match_with_either_comma():
    assert status_key("买家已付款，等待卖家发货") == status_key("买家已付款,等待卖家发货 ")


@pytest.mark.parametrize(
    ("text", "expected"), [("No:SF1234567890", "SF1234567890"), ("SF1,SF2", "SF1"), ("运单号：YT123", "YT123"), ("", "")]
)
def test_tracking_numbers_are_taken_from_their_cell(text, expected):
    assert tracking_number(text) == expected
