"""Realistic Chinese names, phone numbers, addresses and company registration codes for demo data."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

FAMILY_NAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "桂英",
    "建华", "志强", "秀兰", "海燕", "晓东", "丽娟", "俊杰", "文博", "雅婷", "子涵", "浩然", "欣怡", "宇航", "思远", "佳琪",
    "国强", "春梅", "红梅", "建军", "晓明", "立新", "文静", "永刚", "海波", "雪梅", "志刚", "玉兰", "凯", "鹏", "倩",
    "婷婷", "晓燕", "建平", "新华", "振华", "少华", "利民", "瑞", "琳", "慧", "晨", "昊", "博", "蕾", "颖", "辉",
)
CONTACT_TITLES = (
    ("总经理", 3), ("副总经理", 3), ("采购经理", 10), ("采购主管", 6), ("采购专员", 6), ("技术总监", 4), ("工程部经理", 3),
    ("生产经理", 4), ("设备部主管", 3), ("财务经理", 4), ("行政主管", 3), ("项目经理", 4), ("董事长", 1), ("质量经理", 2),
)
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
                   "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188",
                   "189", "191", "198", "199")


@dataclass(frozen=True)
class City:
    name: str
    province: str  # empty for the municipalities (直辖市)
    area_code: str
    # (district, administrative division code, streets in it)
    districts: tuple[tuple[str, str, tuple[str, ...]], ...]


CITIES = {city.name: city for city in (
    City("上海", "", "021", (
        ("浦东新区", "310115", ("张江路", "金科路", "川沙路", "金海路")), ("闵行区", "310112", ("春东路", "莘松路", "剑川路")),
        ("徐汇区", "310104", ("漕宝路", "宜山路", "钦州北路")), ("嘉定区", "310114", ("曹安公路", "叶城路", "嘉戬公路")),
        ("松江区", "310117", ("九亭大街", "新飞路", "荣乐东路")), ("青浦区", "310118", ("华徐公路", "崧泽大道")),
        ("宝山区", "310113", ("沪太路", "富锦路")), ("静安区", "310106", ("江场西路", "共和新路", "汶水路")))),
    City("杭州", "浙江省", "0571", (
        ("西湖区", "330106", ("文三路", "天目山路", "西溪路")), ("滨江区", "330108", ("江南大道", "滨安路", "江陵路")),
        ("余杭区", "330110", ("文一西路", "五常大道", "良睦路")), ("拱墅区", "330105", ("莫干山路", "湖州街")))),
    City("宁波", "浙江省", "0574", (("鄞州区", "330212", ("天童南路", "首南中路")), ("北仑区", "330206", ("明州路", "新大路")))),
    City("绍兴", "浙江省", "0575", (("越城区", "330602", ("解放北路", "中兴大道")), ("柯桥区", "330603", ("群贤路", "柯北大道")))),
    City("嘉兴", "浙江省", "0573", (("南湖区", "330402", ("中山东路", "亚太路", "昌盛南路")),)),
    City("广州", "广东省", "020", (
        ("天河区", "440106", ("天河北路", "黄埔大道西", "中山大道")), ("黄埔区", "440112", ("科学大道", "开创大道")),
        ("番禺区", "440113", ("市桥街", "兴南大道")), ("白云区", "440111", ("广园中路", "石井大道")))),
    City("深圳", "广东省", "0755", (
        ("南山区", "440305", ("科技南路", "高新南一道", "深南大道")), ("宝安区", "440306", ("宝安大道", "福永大道")),
        ("龙岗区", "440307", ("龙岗大道", "坂雪岗大道")), ("福田区", "440304", ("福华路", "车公庙泰然九路")))),
    City("东莞", "广东省", "0769", (("松山湖", "441900", ("工业西路", "科技四路")), ("长安镇", "441900", ("长安路", "莲峰路")),
                                   ("虎门镇", "441900", ("虎门大道", "连升路")))),
    City("佛山", "广东省", "0757", (("顺德区", "440606", ("容桂大道", "北滘镇工业大道")), ("禅城区", "440604", ("季华路", "佛山大道")))),
    City("北京", "", "010", (
        ("海淀区", "110108", ("中关村大街", "上地信息路", "西三环北路")), ("朝阳区", "110105", ("建国路", "酒仙桥路", "望京街")),
        ("大兴区", "110115", ("科创十三街", "荣华南路")), ("丰台区", "110106", ("汉威路", "南四环西路")))),
    City("天津", "", "022", (("滨海新区", "120116", ("黄海路", "第三大街", "洞庭路")), ("南开区", "120104", ("卫津路", "红旗南路")))),
    City("石家庄", "河北省", "0311", (("桥西区", "130104", ("中华南大街", "裕华西路")), ("裕华区", "130108", ("槐安东路", "体育南大街")))),
    City("济南", "山东省", "0531", (("历下区", "370102", ("经十路", "工业南路")), ("历城区", "370112", ("舜华路", "飞跃大道")))),
    City("青岛", "山东省", "0532", (("黄岛区", "370211", ("长江中路", "井冈山路")), ("崂山区", "370212", ("海尔路", "株洲路")))),
)}

BRANDS = (
    "明远", "华信", "恒通", "鑫达", "瑞丰", "博锐", "德润", "宏图", "嘉禾", "金辉", "天成", "永兴", "盛源", "锦程", "凯瑞",
    "海纳", "启航", "诚信", "华阳", "立达", "安捷", "众诚", "宏达", "昊天", "泰和", "中瑞", "志诚", "远航", "同创", "精诚",
    "新锐", "卓越", "创源", "康达", "鼎盛", "汇通", "正源", "天韵", "信诺", "晨光", "华美", "联创", "科润", "美嘉", "协力",
    "百川", "和信", "久安", "乐途", "蓝海", "弘毅", "润泽", "三禾", "腾跃", "宇辰", "振邦", "致远", "聚源", "万和", "星海",
)
# (line of business in the name, its short form, industry lookup code, weight)
TRADES = (
    ("精密机械", "机械", "manufacturing", 6), ("机电设备", "机电", "manufacturing", 5), ("汽车零部件", "汽配", "manufacturing", 4),
    ("五金制品", "五金", "manufacturing", 3), ("自动化设备", "自动化", "manufacturing", 4), ("包装材料", "包装", "manufacturing", 3),
    ("塑胶制品", "塑胶", "manufacturing", 3), ("新材料科技", "新材料", "manufacturing", 2), ("电子科技", "电子", "manufacturing", 5),
    ("食品", "食品", "manufacturing", 2), ("软件技术", "软件", "software", 4), ("信息技术", "信息", "software", 3),
    ("网络科技", "网络", "internet", 3), ("电子商务", "电商", "internet", 2), ("医疗器械", "医疗", "healthcare", 3),
    ("生物科技", "生物", "healthcare", 2), ("建筑工程", "建筑", "construction", 2), ("建材", "建材", "construction", 2),
    ("装饰工程", "装饰", "construction", 1), ("贸易", "贸易", "retail", 4), ("商贸", "商贸", "retail", 3),
    ("物流", "物流", "logistics", 3), ("供应链管理", "供应链", "logistics", 2), ("化工", "化工", "energy", 3),
    ("新能源科技", "新能源", "energy", 2), ("环保科技", "环保", "energy", 2), ("餐饮管理", "餐饮", "catering", 1),
    ("酒店管理", "酒店", "catering", 1), ("教育科技", "教育", "education", 1), ("企业管理咨询", "咨询", "business_services", 2),
    ("广告", "广告", "business_services", 1), ("农业发展", "农业", "agriculture", 1),
)
CUSTOMER_NOTES = (
    "", "", "", "年度框架协议客户，按季度下单。", "对交期要求高，发货前需电话确认。", "价格敏感，关注竞品报价。",
    "老板亲自拍板，采购经理负责执行。", "有新产线建设计划，明年上半年招标。", "付款及时，可适当放宽账期。",
    "需要开具增值税专用发票。", "通过展会结识，对自动化改造感兴趣。", "曾因售后响应慢有过投诉，需重点维护。",
)
COMPANY_SUFFIXES = (("有限公司", 85), ("股份有限公司", 10), ("有限责任公司", 5))


def weighted(rng: random.Random, rows):
    """One row of ``rows`` (tuples whose last item is the weight)."""
    return rng.choices(rows, weights=[row[-1] for row in rows])[0]


def person_name(rng: random.Random) -> tuple[str, str]:
    """(family name, given name)."""
    return rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def landline(rng: random.Random, city: City) -> str:
    return f"{city.area_code}-{rng.choice('2345678')}{''.join(rng.choice('0123456789') for _ in range(7))}"


def address(rng: random.Random, city: City) -> tuple[str, str]:
    """(address, division code of the district)."""
    district, division, streets = rng.choice(city.districts)
    return f"{city.province}{city.name}市{district}{rng.choice(streets)}{rng.randint(1, 999)}号", division


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text))


def initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))


# The 统一社会信用代码 (GB 32100-2015): 2 registration characters, 6-digit division, 9-character
# organisation code (GB 11714, with its own check digit) and a final check character.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(rng: random.Random, division: str) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(8))
    org_check = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = "91" + division + org
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]


def credit_code_is_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]
