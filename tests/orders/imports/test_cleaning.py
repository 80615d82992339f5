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


# Prefecture-level cities as written run together after their province; the
# …州市 ones used to end at 州 and hand 市 to the district (杭州 / 市西湖区).
PREFECTURES = [
    ("浙江省", "杭州市", "西湖区"), ("广东省", "广州市", "天河区"), ("江苏省", "苏州市", "姑苏区"),
    ("河南省", "郑州市", "金水区"), ("福建省", "福州市", "鼓楼区"), ("浙江省", "温州市", "鹿城区"),
    ("江苏省", "徐州市", "云龙区"), ("江苏省", "常州市", "天宁区"), ("福建省", "泉州市", "丰泽区"),
    ("浙江省", "台州市", "椒江区"), ("浙江省", "湖州市", "吴兴区"), ("浙江省", "衢州市", "柯城区"),
    ("安徽省", "滁州市", "琅琊区"), ("安徽省", "宿州市", "埇桥区"), ("甘肃省", "兰州市", "城关区"),
    ("贵州省", "贵阳市", "云岩区"), ("广东省", "深圳市", "南山区"),
    ("吉林省", "延边朝鲜族自治州", "延吉市"), ("四川省", "甘孜藏族自治州", "康定市"),
    ("湖南省", "湘西土家族苗族自治州", "吉首市"), ("贵州省", "黔东南苗族侗族自治州", "凯里市"),
    ("新疆维吾尔自治区", "伊犁哈萨克自治州", "伊宁市"), ("新疆维吾尔自治区", "克孜勒苏柯尔克孜自治州", "阿图什市"),
    ("内蒙古自治区", "锡林郭勒盟", "锡林浩特市"), ("内蒙古自治区", "兴安盟", "乌兰浩特市"),
    ("黑龙江省", "大兴安岭地区", "漠河市"), ("新疆维吾尔自治区", "阿克苏地区", "阿克苏市"),
]  # fmt: skip


@pytest.mark.parametrize(("province", "city", "district"), PREFECTURES)
def test_run_together_addresses_split_at_the_end_of_every_prefecture_city(province, city, district):
    parts = split_cn_address(f"{province}{city}{district}文一路1号")

    assert (parts["ship_city"], parts["ship_district"], parts["ship_address"]) == (city, district, "文一路1号")


def test_a_zhou_city_written_without_shi_still_ends_at_zhou():
    parts = split_cn_address("浙江杭州西湖区文三路90号")

    assert (parts["ship_city"], parts["ship_district"]) == ("杭州", "西湖区")
