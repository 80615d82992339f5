"""The demo seller: its shops, warehouses, B2B customers and product range.

Reference data only; nothing here changes order or stock state. These rows
have no services (they are set up once by an administrator), so they are
written with update_or_create, keyed by their natural code, which keeps a
second run from duplicating them.
"""

import random
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from inventory.models import SKU, SKUAlias, Warehouse
from orders.models import CENT, Channel, Customer, CustomerGrade, Platform

from .people import digits

USD_PER_CNY = Decimal("0.14")
# Export prices carry shipping from China and the marketplace fee.
EXPORT_MARKUP = Decimal("1.8")

# code, name, platform, currency, share of the seller's orders.
CHANNELS = [
    ("tmall", "天猫旗舰店", Platform.TMALL, "CNY", 24),
    ("taobao", "淘宝店", Platform.TAOBAO, "CNY", 14),
    ("jd", "京东自营", Platform.JD, "CNY", 17),
    ("pdd", "拼多多", Platform.PDD, "CNY", 14),
    ("douyin", "抖音小店", Platform.DOUYIN, "CNY", 13),
    ("shopify-us", "Shopify US store", Platform.SHOPIFY, "USD", 7),
    ("amazon-us", "Amazon US", Platform.AMAZON, "USD", 7),
    ("b2b", "B2B 批发", Platform.B2B, "CNY", 2),
    ("manual", "手工单 (manual orders)", Platform.MANUAL, "CNY", 2),
]
US_CHANNELS = ("shopify-us", "amazon-us")
# Platforms whose exports carry their own SKU ids rather than our codes.
ALIASED_CHANNELS = ("tmall", "jd", "pdd", "douyin", "amazon-us")
# Which categories each channel lists, and how strongly each sells there.
CHANNEL_CATEGORY_WEIGHTS = {
    "tmall": {"TEA": 5, "COS": 5, "APP": 3, "ELE": 3, "HOM": 3, "FOD": 2},
    "taobao": {"TEA": 3, "COS": 3, "APP": 5, "ELE": 3, "HOM": 3, "FOD": 3},
    "jd": {"TEA": 2, "COS": 2, "APP": 1, "ELE": 8, "HOM": 3, "FOD": 2},
    "pdd": {"TEA": 2, "COS": 2, "APP": 3, "ELE": 3, "HOM": 4, "FOD": 6},
    "douyin": {"TEA": 3, "COS": 7, "APP": 3, "ELE": 1, "HOM": 2, "FOD": 5},
    "shopify-us": {"TEA": 6, "COS": 2, "APP": 2, "HOM": 4},
    "amazon-us": {"TEA": 4, "ELE": 6, "HOM": 3},
    "b2b": {"TEA": 5, "ELE": 3, "HOM": 2, "FOD": 2},
    "manual": {"TEA": 5, "COS": 1, "HOM": 2, "FOD": 2},
}

# code, name, address, regions served (provinces as the platforms spell them,
# country codes), priority.
WAREHOUSES = [
    (
        "sh",
        "华东仓 (上海)",
        "上海市青浦区华新镇华志路1688号 3号库",
        "上海 江苏 浙江 安徽 福建 山东 US GB CA AU".split(),
        10,
    ),
    (
        "gz",
        "华南仓 (广州)",
        "广州市白云区太和镇永兴物流园B区 5栋",
        "广东 广西 海南 湖南 江西 云南 贵州 四川 重庆".split(),
        20,
    ),
    (
        "bj",
        "华北仓 (北京)",
        "北京市大兴区亦庄经济开发区科创十三街18号",
        "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 河南 湖北 陕西 甘肃 宁夏 青海 新疆 西藏".split(),
        30,
    ),
]

# Distributors buying on purchase orders: company, contact, phone, e-mail,
# grade, credit limit, payment terms, categories bought, where goods go.
B2B_CUSTOMERS = [
    (
        "杭州茗香茶业有限公司",
        "周建国",
        "13857120468",
        "purchase@mingxiang-tea.example.cn",
        CustomerGrade.A,
        Decimal("200000.00"),
        30,
        ("TEA", "HOM"),
        ("浙江", "杭州市", "西湖区", "龙井路28号茗香茶业仓库", "310013"),
    ),
    (
        "深圳优品数码贸易有限公司",
        "林晓峰",
        "13923871156",
        "po@youpin-digital.example.cn",
        CustomerGrade.B,
        Decimal("50000.00"),
        15,
        ("ELE",),
        ("广东", "深圳市", "龙岗区", "坂田街道五和大道118号优品物流中心", "518129"),
    ),
    (
        "成都锦城百货有限公司",
        "何丽",
        "18980061237",
        "caigou@jincheng-store.example.cn",
        CustomerGrade.B,
        Decimal("30000.00"),
        30,
        ("TEA", "FOD", "HOM"),
        ("四川", "成都市", "武侯区", "武侯大道双楠段66号锦城百货配送中心", "610041"),
    ),
]

# Product families: category, family code, Chinese name, English name, CNY
# price, variants as (code suffix, Chinese, English[, own price]).
# An empty variant list means one SKU without a suffix.
SIZES = [("S", "S码", "S"), ("M", "M码", "M"), ("L", "L码", "L"), ("XL", "XL码", "XL")]
PHONES = [
    ("IP15", "iPhone 15", "iPhone 15"),
    ("IP15P", "iPhone 15 Pro", "iPhone 15 Pro"),
    ("IP16", "iPhone 16", "iPhone 16"),
    ("IP16P", "iPhone 16 Pro", "iPhone 16 Pro"),
    ("M60", "华为 Mate 60", "Huawei Mate 60"),
]
TEA_SIZES = [
    ("50G", "50g 罐装", "50 g tin", 1),
    ("100G", "100g 礼盒", "100 g gift box", Decimal("1.8")),
    ("250G", "250g 袋装", "250 g bag", Decimal("3.5")),
]


def _tea(code, zh, en, price):
    sizes = [
        (suffix, zh_size, en_size, (Decimal(price) * factor).quantize(Decimal(1)))
        for suffix, zh_size, en_size, factor in TEA_SIZES
    ]
    return ("TEA", code, zh, en, Decimal(price), sizes)


def _colours_sizes(colours, sizes=SIZES):
    return [(f"{c}-{s}", f"{cz} {sz}", f"{ce}, {se}") for c, cz, ce in colours for s, sz, se in sizes]


PRODUCTS = [
    _tea("LJ", "西湖龙井 明前特级", "West Lake Longjing, pre-Qingming grade", "128"),
    _tea("TGY", "安溪铁观音 清香型", "Anxi Tieguanyin oolong, light roast", "68"),
    _tea("DHP", "武夷大红袍 岩茶", "Wuyi Da Hong Pao rock tea", "98"),
    _tea("BMD", "福鼎白茶 白牡丹", "Fuding white tea, Bai Mudan", "88"),
    _tea("ZSXZ", "正山小种 红茶", "Lapsang Souchong black tea", "58"),
    _tea("MLH", "茉莉花茶 飘雪", "Jasmine green tea, Piaoxue", "39"),
    _tea("BLC", "洞庭碧螺春", "Dongting Biluochun green tea", "108"),
    _tea("JJM", "金骏眉 红茶", "Jin Jun Mei black tea", "158"),
    _tea("DC", "凤凰单丛 蜜兰香", "Phoenix Dancong oolong, honey orchid", "118"),
    _tea("LB", "梧州六堡茶", "Wuzhou Liubao dark tea", "78"),
    (
        "TEA",
        "PE",
        "云南普洱熟茶",
        "Yunnan ripe Pu'er",
        Decimal("68"),
        [
            ("100G", "100g 砖茶", "100 g brick"),
            ("357G", "357g 七子饼", "357 g cake", Decimal("168")),
            ("TONG", "357g×7 一提", "tong of 7 cakes", Decimal("1099")),
        ],
    ),
    (
        "TEA",
        "MJ",
        "信阳毛尖",
        "Xinyang Maojian green tea",
        Decimal("69"),
        [("100G", "100g 袋装", "100 g bag"), ("250G", "250g 礼盒", "250 g gift box", Decimal("159"))],
    ),
    ("TEA", "GIFT", "名茶品鉴礼盒 8款", "Famous Chinese teas tasting box, 8 kinds", Decimal("199"), []),
    (
        "COS",
        "HA",
        "玻尿酸补水精华液",
        "Hyaluronic acid hydrating serum",
        Decimal("169"),
        [("30ML", "30ml", "30 ml"), ("50ML", "50ml", "50 ml", Decimal("259"))],
    ),
    (
        "COS",
        "AAC",
        "氨基酸洁面乳",
        "Amino acid gentle cleanser",
        Decimal("69"),
        [("100G", "100g", "100 g"), ("150G", "150g", "150 g", Decimal("89"))],
    ),
    (
        "COS",
        "SPF",
        "清透防晒乳 SPF50+ PA++++",
        "Sheer sunscreen SPF50+",
        Decimal("98"),
        [("40ML", "40ml", "40 ml"), ("60ML", "60ml", "60 ml", Decimal("139"))],
    ),
    ("COS", "MC", "保湿修护面霜", "Barrier repair moisturising cream", Decimal("199"), []),
    (
        "COS",
        "MASK",
        "玻尿酸补水面膜",
        "Hyaluronic sheet masks",
        Decimal("49"),
        [
            ("5P", "5片装", "5 sheets"),
            ("10P", "10片装", "10 sheets", Decimal("89")),
            ("20P", "20片装", "20 sheets", Decimal("159")),
        ],
    ),
    (
        "COS",
        "LIP",
        "丝绒雾面口红",
        "Velvet matte lipstick",
        Decimal("129"),
        [
            ("01", "#01 正红", "#01 classic red"),
            ("05", "#05 豆沙", "#05 rose nude"),
            ("12", "#12 枫叶红", "#12 maple"),
            ("21", "#21 奶茶", "#21 milk tea"),
            ("33", "#33 复古砖红", "#33 brick"),
        ],
    ),
    ("COS", "EYE", "淡纹紧致眼霜", "Firming eye cream", Decimal("229"), []),
    (
        "COS",
        "CO",
        "温和卸妆油",
        "Gentle cleansing oil",
        Decimal("99"),
        [("150ML", "150ml", "150 ml"), ("200ML", "200ml", "200 ml", Decimal("129"))],
    ),
    ("COS", "TON", "积雪草舒缓爽肤水", "Centella calming toner", Decimal("89"), []),
    ("COS", "HC", "护手霜 3支装", "Hand cream trio", Decimal("59"), []),
    (
        "COS",
        "SH",
        "氨基酸洗发水",
        "Amino acid shampoo",
        Decimal("69"),
        [("400ML", "400ml", "400 ml"), ("750ML", "750ml", "750 ml", Decimal("99"))],
    ),
    (
        "COS",
        "BW",
        "香氛沐浴露 500ml",
        "Perfumed body wash 500 ml",
        Decimal("79"),
        [("OSM", "桂花", "osmanthus"), ("WT", "白茶", "white tea"), ("GRP", "西柚", "grapefruit")],
    ),
    (
        "APP",
        "TS",
        "纯棉圆领T恤",
        "Crew-neck cotton T-shirt",
        Decimal("79"),
        _colours_sizes([("WH", "白色", "white"), ("BK", "黑色", "black"), ("NV", "藏青", "navy")]),
    ),
    (
        "APP",
        "HD",
        "加绒连帽卫衣",
        "Fleece-lined hoodie",
        Decimal("199"),
        _colours_sizes([("GY", "灰色", "grey"), ("BK", "黑色", "black")]),
    ),
    (
        "APP",
        "DJ",
        "轻薄羽绒服",
        "Lightweight down jacket",
        Decimal("499"),
        _colours_sizes([("BK", "黑色", "black"), ("KH", "卡其", "khaki")]),
    ),
    (
        "APP",
        "JN",
        "直筒牛仔裤 浅蓝",
        "Straight-leg jeans, light blue",
        Decimal("259"),
        [(w, f"{w}码", f"W{w}") for w in ("28", "30", "32", "34")],
    ),
    (
        "APP",
        "PJ",
        "纯棉家居服套装",
        "Cotton pyjama set",
        Decimal("169"),
        _colours_sizes([("PK", "樱花粉", "blossom pink"), ("BL", "雾霾蓝", "haze blue")]),
    ),
    (
        "APP",
        "SK",
        "运动袜 5双装",
        "Sports socks, 5 pairs",
        Decimal("39"),
        _colours_sizes([("WH", "白色", "white"), ("BK", "黑色", "black")], [("M", "M码", "M"), ("L", "L码", "L")]),
    ),
    (
        "APP",
        "SC",
        "桑蚕丝方巾",
        "Mulberry silk scarf",
        Decimal("189"),
        [("PEONY", "牡丹", "peony"), ("CRANE", "仙鹤", "crane"), ("WAVE", "海浪", "wave"), ("INK", "水墨", "ink wash")],
    ),
    (
        "APP",
        "CAP",
        "刺绣棒球帽",
        "Embroidered baseball cap",
        Decimal("69"),
        [("BK", "黑色", "black"), ("BE", "米色", "beige"), ("GN", "墨绿", "forest green")],
    ),
    (
        "ELE",
        "CBL",
        "快充数据线",
        "Fast-charging cable",
        Decimal("29"),
        [
            ("CC1", "USB-C 1米", "USB-C, 1 m"),
            ("CC2", "USB-C 2米", "USB-C, 2 m", Decimal("39")),
            ("CL1", "C to Lightning 1米", "USB-C to Lightning, 1 m", Decimal("49")),
        ],
    ),
    (
        "ELE",
        "GAN",
        "氮化镓快充充电器",
        "GaN fast charger",
        Decimal("59"),
        [
            ("20W", "20W", "20 W"),
            ("35W", "35W 双口", "35 W dual port", Decimal("89")),
            ("65W", "65W 三口", "65 W three ports", Decimal("149")),
        ],
    ),
    (
        "ELE",
        "PB",
        "磁吸充电宝 10000mAh",
        "Magnetic power bank 10000 mAh",
        Decimal("169"),
        [("WH", "白色", "white"), ("BK", "黑色", "black"), ("PU", "暮光紫", "twilight purple")],
    ),
    (
        "ELE",
        "EB",
        "降噪蓝牙耳机",
        "Noise-cancelling Bluetooth earbuds",
        Decimal("299"),
        [("WH", "白色", "white"), ("BK", "黑色", "black")],
    ),
    (
        "ELE",
        "CASE",
        "手机壳",
        "Phone case",
        Decimal("39"),
        [
            (f"{p}-{f}", f"{pz} {fz}", f"{pe}, {fe}")
            for p, pz, pe in PHONES
            for f, fz, fe in (("CLR", "透明", "clear"), ("MBK", "磨砂黑", "matte black"))
        ],
    ),
    ("ELE", "GLS", "钢化膜 2片装", "Tempered glass screen protector, 2-pack", Decimal("25"), PHONES),
    ("ELE", "WC", "15W 无线充电器", "15 W wireless charger", Decimal("89"), []),
    ("ELE", "CM", "车载磁吸手机支架", "Magnetic car phone mount", Decimal("59"), []),
    ("ELE", "HUB", "USB-C 扩展坞 7合1", "7-in-1 USB-C hub", Decimal("199"), []),
    (
        "ELE",
        "SPK",
        "便携蓝牙音箱",
        "Portable Bluetooth speaker",
        Decimal("249"),
        [("GY", "岩石灰", "slate grey"), ("BL", "湖水蓝", "lake blue")],
    ),
    (
        "ELE",
        "MS",
        "静音无线鼠标",
        "Silent wireless mouse",
        Decimal("79"),
        [("WH", "白色", "white"), ("BK", "黑色", "black")],
    ),
    (
        "ELE",
        "KB",
        "蓝牙机械键盘",
        "Bluetooth mechanical keyboard",
        Decimal("329"),
        [("RED", "红轴", "red switches"), ("BRN", "茶轴", "brown switches")],
    ),
    (
        "ELE",
        "SD",
        "高速存储卡",
        "High-speed microSD card",
        Decimal("69"),
        [("128G", "128GB", "128 GB"), ("256G", "256GB", "256 GB", Decimal("119"))],
    ),
    ("ELE", "TRI", "自拍杆三脚架", "Selfie stick tripod", Decimal("69"), []),
    ("ELE", "LAMP", "LED 护眼台灯", "LED desk lamp", Decimal("159"), []),
    (
        "ELE",
        "STRAP",
        "硅胶手表表带",
        "Silicone watch strap",
        Decimal("29"),
        [("41", "41mm", "41 mm"), ("45", "45mm", "45 mm")],
    ),
    (
        "HOM",
        "VF",
        "316不锈钢保温杯",
        "316 stainless vacuum flask",
        Decimal("99"),
        [
            (f"{s}-{c}", f"{sz} {cz}", f"{se}, {ce}", Decimal(p))
            for s, sz, se, p in (("350", "350ml", "350 ml", "99"), ("500", "500ml", "500 ml", "129"))
            for c, cz, ce in (("WH", "白色", "white"), ("BK", "黑色", "black"), ("BL", "雾蓝", "mist blue"))
        ],
    ),
    (
        "HOM",
        "TSET",
        "景德镇陶瓷功夫茶具套装",
        "Jingdezhen ceramic gongfu tea set",
        Decimal("399"),
        [("QH", "青花", "blue and white"), ("RY", "汝窑天青", "Ru-kiln celadon")],
    ),
    ("HOM", "GDB", "耐热玻璃公道杯", "Heat-resistant glass tea pitcher", Decimal("49"), []),
    (
        "HOM",
        "CB",
        "竹制砧板",
        "Bamboo cutting board",
        Decimal("59"),
        [("S", "小号", "small"), ("L", "大号", "large", Decimal("89"))],
    ),
    (
        "HOM",
        "CDL",
        "香薰蜡烛",
        "Scented candle",
        Decimal("88"),
        [("CED", "雪松", "cedar"), ("WT", "白茶", "white tea"), ("FIG", "无花果", "fig")],
    ),
    (
        "HOM",
        "PC",
        "真丝枕套",
        "Silk pillowcase",
        Decimal("239"),
        [("CH", "香槟色", "champagne"), ("GY", "银灰", "silver grey")],
    ),
    ("HOM", "TWL", "纯棉毛巾 3条装", "Cotton towels, 3-pack", Decimal("59"), []),
    (
        "HOM",
        "DIF",
        "无火香薰",
        "Reed diffuser",
        Decimal("128"),
        [("OSM", "桂花", "osmanthus"), ("SEA", "海盐", "sea salt")],
    ),
    (
        "HOM",
        "MUG",
        "陶瓷马克杯",
        "Ceramic mug",
        Decimal("45"),
        [("WH", "奶白", "cream"), ("GN", "青瓷绿", "celadon"), ("BK", "哑光黑", "matte black")],
    ),
    ("HOM", "BOX", "玻璃保鲜盒 3件套", "Glass food containers, set of 3", Decimal("79"), []),
    (
        "HOM",
        "SLP",
        "珊瑚绒拖鞋",
        "Coral fleece slippers",
        Decimal("39"),
        [(s, f"{s}码", f"EU {s}") for s in ("36-37", "38-39", "40-41", "42-43")],
    ),
    ("FOD", "NUT", "每日坚果 30包", "Daily mixed nuts, 30 packs", Decimal("129"), []),
    (
        "FOD",
        "BJ",
        "内蒙古风干牛肉干",
        "Inner Mongolia air-dried beef jerky",
        Decimal("69"),
        [("250G", "250g", "250 g"), ("500G", "500g", "500 g", Decimal("128"))],
    ),
    ("FOD", "LSF", "柳州螺蛳粉 5袋装", "Liuzhou river-snail rice noodles, 5 bags", Decimal("59"), []),
    (
        "FOD",
        "GQ",
        "宁夏枸杞 特级",
        "Ningxia goji berries, premium",
        Decimal("49"),
        [("250G", "250g", "250 g"), ("500G", "500g", "500 g", Decimal("89"))],
    ),
    ("FOD", "HONEY", "长白山椴树蜜 500g", "Changbai Mountain linden honey, 500 g", Decimal("79"), []),
    (
        "FOD",
        "COF",
        "云南小粒咖啡豆 250g",
        "Yunnan arabica coffee beans, 250 g",
        Decimal("79"),
        [("MED", "中度烘焙", "medium roast"), ("DRK", "深度烘焙", "dark roast")],
    ),
    (
        "FOD",
        "HG",
        "四川火锅底料",
        "Sichuan hotpot soup base",
        Decimal("29"),
        [("ML", "麻辣", "numbing spicy"), ("TOM", "番茄", "tomato")],
    ),
    ("FOD", "RICE", "五常稻花香大米 5kg", "Wuchang fragrant rice, 5 kg", Decimal("89"), []),
    ("FOD", "SNK", "零食大礼包", "Snack gift pack", Decimal("99"), []),
]
# Launched in the last days and selling faster than the first delivery: the
# SKUs that leave some approved orders without stock.
NEW_ARRIVALS = [
    ("TEA", "YZ", "2025 新茶 白毫银针 50g", "2025 Silver Needle white tea, 50 g", Decimal("268"), []),
    ("ELE", "GAN", "氮化镓快充充电器", "GaN fast charger", Decimal("199"), [("100W", "100W 新品", "100 W, new")]),
    ("COS", "SPF", "清透防晒棒 SPF50+", "Sunscreen stick SPF50+", Decimal("118"), [("STICK", "新品", "new")]),
    (
        "APP",
        "TS",
        "联名款纯棉T恤 限量",
        "Collab cotton T-shirt, limited",
        Decimal("129"),
        [("LTD-M", "M码", "M"), ("LTD-L", "L码", "L")],
    ),
]
NEW_ARRIVAL_DAYS = 8
# These categories do not go to the US: food and cosmetics need clearances we don't have.
US_CATEGORIES = ("TEA", "APP", "ELE", "HOM")


@dataclass
class Item:
    """One SKU as the demo sells it."""

    code: str
    category: str
    name_zh: str
    name_en: str
    price_cny: Decimal
    is_new: bool = False
    sku: SKU | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # channel code → platform SKU code

    @property
    def price_usd(self) -> Decimal:
        raw = self.price_cny * USD_PER_CNY * EXPORT_MARKUP
        return max(Decimal("4.99"), raw.to_integral_value(ROUND_FLOOR) + Decimal("0.99"))


def catalogue_items() -> list[Item]:
    items = []
    for families, is_new in ((PRODUCTS, False), (NEW_ARRIVALS, True)):
        for category, family, name_zh, name_en, price, variants in families:
            if not variants:
                items.append(Item(f"{category}-{family}", category, name_zh, name_en, price, is_new))
            for suffix, zh, en, *own_price in variants:
                items.append(
                    Item(
                        f"{category}-{family}-{suffix}",
                        category,
                        f"{name_zh} {zh}",
                        f"{name_en}, {en}",
                        (own_price[0] if own_price else price).quantize(CENT),
                        is_new,
                    )
                )
    return items


def ean13(rng: random.Random, company_prefix: str) -> str:
    body = company_prefix + digits(rng, 12 - len(company_prefix))
    odd, even = sum(int(d) for d in body[0::2]), sum(int(d) for d in body[1::2])
    return body + str((10 - (odd + 3 * even) % 10) % 10)


def platform_sku_code(rng: random.Random, channel: str, item: Item) -> str:
    if channel == "tmall":
        return rng.choice("45") + digits(rng, 12)  # Tmall sku_id, 13 digits
    if channel == "jd":
        return "1000" + digits(rng, 8)  # JD SKU, 12 digits
    if channel == "pdd":
        return "1" + digits(rng, 11)
    if channel == "douyin":
        return "17" + digits(rng, 17)
    return "OD-" + item.code.replace("-", "")[:14] + "-FBM"  # Amazon seller SKU


def reference_data_setup(seed: int):
    """Channels, warehouses, B2B customers, SKUs and aliases; returns them by code."""
    rng = random.Random(f"{seed}:catalogue")
    channels = {}
    for code, name, platform, currency, _share in CHANNELS:
        channels[code], _ = Channel.objects.update_or_create(
            code=code, defaults={"name": name, "platform": platform, "default_currency": currency, "is_active": True}
        )
    warehouses = {}
    for code, name, address, regions, priority in WAREHOUSES:
        warehouses[code], _ = Warehouse.objects.update_or_create(
            code=code,
            defaults={"name": name, "address": address, "regions": regions, "priority": priority, "is_active": True},
        )
    customers = []
    for company, name, phone, email, grade, credit_limit, terms, categories, address in B2B_CUSTOMERS:
        customer, _ = Customer.objects.update_or_create(
            company=company,
            defaults={
                "name": name,
                "is_business": True,
                "grade": grade,
                "phone": phone,
                "email": email,
                "credit_limit": credit_limit,
                "payment_terms_days": terms,
            },
        )
        province, city, district, street, postcode = address
        ship_to = {
            "ship_name": name,
            "ship_phone": phone,
            "ship_country": "CN",
            "ship_province": province,
            "ship_city": city,
            "ship_district": district,
            "ship_address": street,
            "ship_postcode": postcode,
        }
        customers.append((customer, categories, ship_to))

    items = catalogue_items()
    prefixes = {"TEA": "6938", "COS": "6971", "APP": "6945", "ELE": "6952", "HOM": "6923", "FOD": "6901"}
    for item in items:
        item.sku, _ = SKU.objects.update_or_create(
            code=item.code,
            defaults={
                "name": f"{item.name_zh} / {item.name_en}",
                "barcode": ean13(rng, prefixes[item.category]),
                "is_active": True,
            },
        )
    for channel_code in ALIASED_CHANNELS:
        taken = set()
        for item in items:
            if channel_code in US_CHANNELS and item.category not in US_CATEGORIES:
                continue
            code = platform_sku_code(rng, channel_code, item)
            while code in taken:
                code = platform_sku_code(rng, channel_code, item)
            taken.add(code)
            SKUAlias.objects.update_or_create(
                channel=channels[channel_code], platform_sku_code=code, defaults={"sku": item.sku}
            )
            item.aliases[channel_code] = code
    return channels, warehouses, customers, items
