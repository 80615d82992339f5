"""Made-up buyers as the platforms hand them to us: names, addresses, phone
numbers, accounts, and the identifiers platforms and carriers give orders.

Every function takes the caller's random.Random, so a seed gives the same
people every time. Any resemblance to real people is chance.
"""

import random
import string

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAMES = (
    "伟 芳 娜 敏 静 丽 强 磊 洋 艳 勇 军 杰 娟 涛 明 超 霞 平 刚 婷 浩 宇 欣 雪 琳 晨 博 悦 "
    "子涵 梓萱 浩然 宇轩 欣怡 思远 佳怡 俊杰 雨桐 嘉豪 晓燕 建华 志强 丽娟 海燕 文杰 婉清 一诺 诗琪 子轩 "
    "明轩 雅琴 国栋 春梅 秀英 桂兰 建国 晓明 丹丹 佳琪 晓东 慧敏 鹏飞 思彤 若曦 天佑 沐阳 梦瑶 立新 海涛"
).split()

# Province (as the warehouses list it) → weight, [(city, postcode, [districts])].
PROVINCES = {
    "广东": (
        14,
        [
            ("广州市", "510000", ["天河区", "越秀区", "海珠区", "番禺区", "白云区"]),
            ("深圳市", "518000", ["南山区", "福田区", "宝安区", "龙岗区"]),
            ("佛山市", "528000", ["禅城区", "南海区", "顺德区"]),
            ("东莞市", "523000", ["南城街道", "松山湖"]),
        ],
    ),
    "浙江": (
        9,
        [
            ("杭州市", "310000", ["西湖区", "余杭区", "滨江区", "拱墅区"]),
            ("宁波市", "315000", ["鄞州区", "海曙区"]),
            ("温州市", "325000", ["鹿城区", "瓯海区"]),
            ("金华市", "321000", ["婺城区", "义乌市"]),
        ],
    ),
    "江苏": (
        9,
        [
            ("南京市", "210000", ["鼓楼区", "江宁区", "建邺区"]),
            ("苏州市", "215000", ["姑苏区", "工业园区", "吴中区"]),
            ("无锡市", "214000", ["梁溪区", "滨湖区"]),
            ("常州市", "213000", ["天宁区", "武进区"]),
        ],
    ),
    "上海": (6, [("上海市", "200000", ["浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区", "宝山区"])]),
    "北京": (5, [("北京市", "100000", ["朝阳区", "海淀区", "东城区", "丰台区", "通州区"])]),
    "山东": (
        6,
        [
            ("济南市", "250000", ["历下区", "槐荫区"]),
            ("青岛市", "266000", ["市南区", "崂山区", "黄岛区"]),
            ("烟台市", "264000", ["芝罘区"]),
        ],
    ),
    "四川": (5, [("成都市", "610000", ["锦江区", "武侯区", "高新区", "双流区"]), ("绵阳市", "621000", ["涪城区"])]),
    "河南": (4, [("郑州市", "450000", ["金水区", "二七区", "郑东新区"]), ("洛阳市", "471000", ["洛龙区"])]),
    "湖北": (4, [("武汉市", "430000", ["武昌区", "洪山区", "江汉区"]), ("宜昌市", "443000", ["西陵区"])]),
    "福建": (
        4,
        [
            ("福州市", "350000", ["鼓楼区", "仓山区"]),
            ("厦门市", "361000", ["思明区", "湖里区"]),
            ("泉州市", "362000", ["丰泽区"]),
        ],
    ),
    "湖南": (3, [("长沙市", "410000", ["岳麓区", "芙蓉区", "天心区"])]),
    "安徽": (3, [("合肥市", "230000", ["蜀山区", "包河区", "政务区"])]),
    "河北": (3, [("石家庄市", "050000", ["长安区", "裕华区"]), ("保定市", "071000", ["竞秀区"])]),
    "重庆": (3, [("重庆市", "400000", ["渝中区", "江北区", "渝北区", "南岸区"])]),
    "陕西": (2, [("西安市", "710000", ["雁塔区", "碑林区", "未央区"])]),
    "辽宁": (2, [("沈阳市", "110000", ["和平区", "浑南区"]), ("大连市", "116000", ["中山区", "甘井子区"])]),
    "天津": (2, [("天津市", "300000", ["和平区", "南开区", "滨海新区"])]),
    "江西": (2, [("南昌市", "330000", ["东湖区", "红谷滩区"])]),
    "广西": (2, [("南宁市", "530000", ["青秀区", "西乡塘区"]), ("桂林市", "541000", ["七星区"])]),
    "云南": (2, [("昆明市", "650000", ["五华区", "盘龙区"])]),
    "山西": (1.5, [("太原市", "030000", ["小店区", "迎泽区"])]),
    "贵州": (1.5, [("贵阳市", "550000", ["云岩区", "观山湖区"])]),
    "黑龙江": (1.5, [("哈尔滨市", "150000", ["南岗区", "道里区"])]),
    "吉林": (1, [("长春市", "130000", ["朝阳区", "南关区"])]),
    "海南": (1, [("海口市", "570000", ["龙华区", "美兰区"]), ("三亚市", "572000", ["吉阳区"])]),
    "内蒙古": (0.8, [("呼和浩特市", "010000", ["赛罕区", "新城区"])]),
    "甘肃": (0.8, [("兰州市", "730000", ["城关区", "七里河区"])]),
    "新疆": (0.6, [("乌鲁木齐市", "830000", ["天山区", "沙依巴克区"])]),
    "宁夏": (0.4, [("银川市", "750000", ["兴庆区", "金凤区"])]),
    "青海": (0.3, [("西宁市", "810000", ["城西区", "城东区"])]),
    "西藏": (0.2, [("拉萨市", "850000", ["城关区"])]),
}
# Far from every warehouse: parcels take longest.
REMOTE_PROVINCES = frozenset({"新疆", "西藏", "青海", "宁夏", "内蒙古", "甘肃", "海南"})
ROADS = (
    "中山路 人民路 解放路 建设路 文化路 科技路 长江路 和平路 新华路 学院路 滨江大道 世纪大道 金融街 "
    "迎宾路 光明路 青年路 朝阳路 环城北路 工业大道 创业路 湖滨路 东风路 民主路 幸福路"
).split()
COMPOUNDS = (
    "阳光花园 锦绣家园 翠苑小区 万科城 碧桂园 保利花园 绿地公馆 金地名郡 华润城 龙湖春江郦城 "
    "中海国际社区 融创壹号院 新城市花园 和平里小区 幸福家园"
).split()
TOWERS = "国贸中心 中海大厦 环球金融中心 科技园A座 创意产业园 万达广场写字楼 世纪商务大厦".split()

NICK_WORDS = (
    "快乐的小鱼 阳光男孩 奶茶不加糖 吃货一枚 爱喝茶的猫 小太阳 追风少年 柠檬不酸 暖暖 一只胖橘 "
    "晴天 月光宝盒 慢生活 茶香满屋 开心果 海边的风"
).split()

US_FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Emily Daniel Olivia Matthew Ashley Ethan Megan Kevin Laura Brian Rachel "
    "Jason Hannah Ryan Grace Wei Mei Priya Carlos Sofia"
).split()
US_LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson "
    "Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Young Allen King Wright "
    "Nguyen Chen Patel Kim Murphy"
).split()
# City, state, ZIP, area code, sales tax rate the marketplace collects.
US_CITIES = [
    ("Los Angeles", "CA", "90012", "213", "0.095"),
    ("San Jose", "CA", "95112", "408", "0.0938"),
    ("San Diego", "CA", "92101", "619", "0.0775"),
    ("Seattle", "WA", "98101", "206", "0.1035"),
    ("Portland", "OR", "97205", "503", "0"),
    ("Austin", "TX", "78701", "512", "0.0825"),
    ("Houston", "TX", "77002", "713", "0.0825"),
    ("Brooklyn", "NY", "11201", "718", "0.08875"),
    ("New York", "NY", "10013", "212", "0.08875"),
    ("Boston", "MA", "02116", "617", "0.0625"),
    ("Chicago", "IL", "60614", "312", "0.1025"),
    ("Denver", "CO", "80202", "303", "0.0881"),
    ("Miami", "FL", "33130", "305", "0.07"),
    ("Atlanta", "GA", "30303", "404", "0.089"),
    ("Phoenix", "AZ", "85004", "602", "0.086"),
    ("Minneapolis", "MN", "55401", "612", "0.08025"),
    ("Philadelphia", "PA", "19103", "215", "0.08"),
    ("Nashville", "TN", "37203", "615", "0.0925"),
    ("Raleigh", "NC", "27601", "919", "0.0725"),
    ("Salt Lake City", "UT", "84101", "801", "0.0775"),
]
US_STREETS = "Main Oak Maple Cedar Pine Elm Washington Lake Hill Park Sunset Lincoln Madison Broadway Valencia".split()
US_STREET_KINDS = "St Ave Rd Blvd Ln Dr Way".split()


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def chinese_mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + digits(rng, 9)


def chinese_address(rng: random.Random) -> dict:
    province = weighted(rng, {name: weight for name, (weight, _cities) in PROVINCES.items()})
    city, postcode, districts = rng.choice(PROVINCES[province][1])
    street = f"{rng.choice(ROADS)}{rng.randint(1, 999)}号"
    if rng.random() < 0.8:
        building, entrance, floor, flat = rng.randint(1, 30), rng.randint(1, 4), rng.randint(1, 33), rng.randint(1, 4)
        street += f"{rng.choice(COMPOUNDS)}{building}栋{entrance}单元{floor}{flat:02d}室"
    else:
        street += f"{rng.choice(TOWERS)}{rng.randint(2, 40)}楼{rng.randint(1, 30):02d}室"
    return {
        "ship_name": chinese_name(rng),
        "ship_phone": chinese_mobile(rng),
        "ship_country": "CN",
        "ship_province": province,
        "ship_city": city,
        "ship_district": rng.choice(districts),
        "ship_address": street,
        "ship_postcode": postcode[:4] + digits(rng, 2) if postcode[4:] == "00" else postcode,
    }


def us_address(rng: random.Random) -> tuple[dict, str]:
    """A US ship-to and the sales tax rate of its city."""
    city, state, zip_code, area, tax_rate = rng.choice(US_CITIES)
    street = f"{rng.randint(10, 9899)} {rng.choice(US_STREETS)} {rng.choice(US_STREET_KINDS)}"
    if rng.random() < 0.3:
        street += f", Apt {rng.randint(1, 30)}{rng.choice('ABCDEF')}"
    ship_to = {
        "ship_name": f"{rng.choice(US_FIRST_NAMES)} {rng.choice(US_LAST_NAMES)}",
        "ship_phone": f"+1 {area}-555-01{digits(rng, 2)}",  # 555-01xx: reserved for fiction
        "ship_country": "US",
        "ship_province": state,
        "ship_city": city,
        "ship_district": "",
        "ship_address": street,
        "ship_postcode": zip_code,
    }
    return ship_to, tax_rate


def buyer_nick(rng: random.Random, channel: str, ship_name: str) -> str:
    if channel in ("tmall", "taobao"):
        return rng.choice([f"tb{digits(rng, 10)}", f"{rng.choice(NICK_WORDS)}{digits(rng, rng.randint(2, 4))}"])
    if channel == "jd":
        return "jd_" + "".join(rng.choice("0123456789abcdef") for _ in range(12))
    if channel == "pdd":
        return rng.choice([f"pdd{digits(rng, 8)}", rng.choice(NICK_WORDS)])
    if channel == "douyin":
        return rng.choice([f"用户{digits(rng, 10)}", f"{rng.choice(NICK_WORDS)}{digits(rng, 3)}"])
    if channel == "amazon-us":
        # Amazon passes a relay address, never the buyer's own.
        return (
            "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(15)) + "@marketplace.amazon.com"
        )
    if channel == "shopify-us":
        first, last = ship_name.lower().split(" ", 1)
        return (
            f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com'])}"
        )
    return ship_name


class PlatformOrderIds:
    """Platform order ids in each platform's own format, unique per channel."""

    def __init__(self):
        self.taken: set[tuple[str, str]] = set()
        self.shopify_next = 1001
        self.po_per_customer: dict[int, int] = {}

    def next(self, rng: random.Random, channel: str, placed_at, customer=None) -> str:
        if channel == "manual":
            return ""  # typed in by a clerk: no platform behind it
        while True:
            value = self._make(rng, channel, placed_at, customer)
            if (channel, value) not in self.taken:
                self.taken.add((channel, value))
                return value

    def _make(self, rng: random.Random, channel: str, placed_at, customer) -> str:
        if channel in ("tmall", "taobao"):
            return rng.choice("1234") + digits(rng, rng.choice((17, 18)))
        if channel == "jd":
            return rng.choice("23") + digits(rng, 11)
        if channel == "pdd":
            return f"{placed_at:%y%m%d}-{digits(rng, 15)}"
        if channel == "douyin":
            return "69" + digits(rng, 17)
        if channel == "amazon-us":
            return f"11{rng.randint(1, 4)}-{digits(rng, 7)}-{digits(rng, 7)}"
        if channel == "shopify-us":
            self.shopify_next += 1
            return f"#{self.shopify_next - 1}"
        if channel == "b2b":
            count = self.po_per_customer[customer.pk] = self.po_per_customer.get(customer.pk, 0) + 1
            return f"PO-{customer.pk:02d}-{placed_at:%y%m}-{count:03d}"
        raise ValueError(f"No platform order ids for channel {channel}")


# Carrier, weight, per channel group; then tracking number formats.
CARRIERS_BY_CHANNEL = {
    "tmall": {"顺丰速运": 4, "中通快递": 3.5, "圆通速递": 2.5},
    "taobao": {"中通快递": 4.5, "圆通速递": 3.5, "韵达快递": 2},
    "pdd": {"中通快递": 4.5, "圆通速递": 3, "韵达快递": 2.5},
    "douyin": {"中通快递": 4, "圆通速递": 3, "顺丰速运": 2, "韵达快递": 1},
    "jd": {"京东物流": 1},
    "shopify-us": {"USPS": 6, "UPS": 4},
    "amazon-us": {"USPS": 5, "UPS": 5},
    "b2b": {"顺丰速运": 5, "德邦快递": 5},
    "manual": {"顺丰速运": 1},
}


def tracking_number(rng: random.Random, carrier: str) -> str:
    if carrier == "顺丰速运":
        return "SF" + rng.choice("13") + digits(rng, 12)
    if carrier == "中通快递":
        return rng.choice(("73", "75", "78")) + digits(rng, 12)
    if carrier == "圆通速递":
        return "YT" + rng.choice("6789") + digits(rng, 12)
    if carrier == "韵达快递":
        return rng.choice(("43", "46")) + digits(rng, 13)
    if carrier == "京东物流":
        return "JDV" + rng.choice("ABCDE") + digits(rng, 11)
    if carrier == "德邦快递":
        return "DPK" + digits(rng, 12)
    if carrier == "UPS":
        return "1Z8E572W" + rng.choice(("03", "02", "01")) + digits(rng, 8)
    return "94001" + digits(rng, 17)  # USPS, 22 digits


CN_BUYER_MESSAGES = [
    "请尽快发货，谢谢",
    "不要放快递柜，直接送到家",
    "送人的，请不要放价格单",
    "麻烦包装结实一点，谢谢",
    "能发顺丰吗？可以补差价",
    "周末不在家，工作日送达",
    "收件前请先打电话",
    "赠品记得放哦",
]
US_BUYER_MESSAGES = [
    "It's a gift - please don't include the receipt.",
    "Please leave the parcel at the back door.",
    "Need it before the weekend if possible!",
    "Could you add a small gift note? Happy birthday, Mom!",
]
SELLER_MEMOS = [
    "老客户，备注送试用装",
    "已和买家确认颜色",
    "直播间下单，优先发货",
    "买家要求开电子发票",
    "平台百亿补贴活动订单",
]
