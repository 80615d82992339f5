"""Cleaning what the platforms give: phone numbers, one-string Chinese
addresses, status words with full-width punctuation."""

import re
import unicodedata

# Mainland provinces and regions, by the short name our warehouses' regions use.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古",
    "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)  # fmt: skip
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
# A city ends at its suffix; 州 alone (杭州 written without 市) only when no 市
# follows, or every "…州市" would end at 州 and leave 市 to the district.
_CITY = re.compile(r"^(.{1,12}?(?:自治州|地区|盟|市|州(?!市)))")
_DISTRICT = re.compile(r"^(.{1,12}?(?:新区|区|县|旗|市))")
_POSTCODE = re.compile(r"[\s,，(（]*\(?(\d{6})\)?\s*$")
_PHONE_NOISE = re.compile(r"[\s\-()'`]")
_MOBILE_CN = re.compile(r"^1\d{10}$")
_STATUS_NOISE = re.compile(r"[\s,，。.、:：;；\-—()（）]")


def phone(text: str) -> str:
    """``'+86 138-0013-8000`` → ``13800138000``; other countries keep their ``+``;
    a masked number (``138****8000``) is kept as the platform gives it."""
    if text and len(text) == 11 and text.isascii() and text.isdigit():
        return text  # a mainland mobile number as most files write it
    value = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", text or ""))
    for prefix in ("+86", "0086", "86"):
        rest = value.removeprefix(prefix)
        if rest != value and (_MOBILE_CN.match(rest) or (len(rest) == 11 and rest.startswith("1") and "*" in rest)):
            return rest
    return value


def status_key(text: str) -> str:
    """A platform's status words without spaces and punctuation, half-width:
    ``买家已付款，等待卖家发货`` and ``买家已付款,等待卖家发货`` are one status."""
    return _STATUS_NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


# The first two characters tell the provinces apart (黑龙江, 内蒙古 included).
_PROVINCE_BY_PREFIX = {name[:2]: name for name in PROVINCES}


def _province_of(text: str) -> str:
    """The province ``text`` starts with, or ""."""
    province = _PROVINCE_BY_PREFIX.get(text[:2], "")
    return province if province and text.startswith(province) else ""


def province_short(name: str) -> str:
    """``上海市`` → ``上海``, ``广西壮族自治区`` → ``广西``, ``江苏省`` → ``江苏``."""
    name = (name or "").strip()
    return _province_of(name) or _PROVINCE_SUFFIX.sub("", name)


def split_cn_address(text: str) -> dict:
    """A one-string mainland address as province, city, district, street and postcode.

    Handles the space-separated form most platforms export (``上海 上海市 浦东新区
    世纪大道1号(200120)``) and the run-together form (``江苏省南京市玄武区中山路1号``).
    What cannot be recognised stays in the street address, so nothing is lost.
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    postcode = ""
    match = _POSTCODE.search(value)
    if match and match.start() > 0:
        postcode, value = match[1], value[: match.start()].strip()
    parts = {"ship_province": "", "ship_city": "", "ship_district": "", "ship_address": value, "ship_postcode": postcode}
    province = _province_of(value)
    if not province:
        return parts
    tokens = value.split()
    if len(tokens) >= 3 and province_short(tokens[0]) == province:
        parts["ship_province"] = province
        rest = tokens[1:]
        parts["ship_city"] = rest.pop(0)
        if rest and _DISTRICT.match(rest[0]) and len(rest) > 1:
            parts["ship_district"] = rest.pop(0)
        parts["ship_address"] = " ".join(rest)
        return parts
    rest = re.sub(r"^\s*" + province + r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?\s*", "", value)
    parts["ship_province"] = province
    if province in MUNICIPALITIES:
        city = province + "市"
        rest = rest.removeprefix(city).lstrip()
        parts["ship_city"] = city
    else:
        city_match = _CITY.match(rest)
        if city_match:
            parts["ship_city"] = city_match[1]
            rest = rest[city_match.end() :].lstrip()
    district_match = _DISTRICT.match(rest)
    if district_match and district_match.end() < len(rest):
        parts["ship_district"] = district_match[1]
        rest = rest[district_match.end() :].lstrip()
    parts["ship_address"] = rest
    return parts


_TRACKING_LABEL = re.compile(r"^(no|运单号|单号)[:：]?\s*", re.IGNORECASE)
_TRACKING_SEPARATOR = re.compile(r"[,;，；\s]+")


def tracking_number(text: str) -> str:
    """The first tracking number of a cell: ``No:SF1234567890`` → ``SF1234567890``;
    several (a split shipment, ``SF1,SF2``) → the first."""
    if not text:
        return ""
    value = _TRACKING_LABEL.sub("", unicodedata.normalize("NFKC", text).strip())
    return _TRACKING_SEPARATOR.split(value)[0] if value else ""
