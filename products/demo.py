"""Demo catalogue for ``manage.py seed_demo``: an office-supplies and IT reseller's products.

Called by the demo seeder after the organisation exists (``ctx.roles``, ``ctx.users``, ``ctx.admin``).
Rows are written directly, like the other demo modules: the starting state, not changes anyone made.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.numbering import next_code

from .models import PriceLevel, PriceLevelGrant, Product, ProductCategory, ProductPrice, Unit, UnitConversion

ORDER = 25  # after the organisation (roles, users), before sales documents that quote products

UNITS = ("个", "台", "套", "箱", "袋", "包", "盒", "支", "张", "件", "年")
# (name, parent name)
CATEGORIES = (
    ("办公设备", None), ("打印复印", "办公设备"), ("电脑外设", "办公设备"),
    ("软件许可", None), ("办公耗材", None), ("纸张文具", "办公耗材"), ("硒鼓墨盒", "办公耗材"),
)
# (category, name, spec, model, brand, origin, base unit, list price, [(unit, factor)])
PRODUCTS = (
    ("打印复印", "黑白激光打印机", "A4 30页/分钟 双面 网络", "M233sdn", "惠普", "中国", "台", "2399", []),
    ("打印复印", "彩色激光打印机", "A4 22页/分钟 无线", "MFC-L3760CDW", "兄弟", "中国", "台", "4599", []),
    ("打印复印", "数码复合机", "A3 35页/分钟 彩色", "C3635", "佳能", "日本", "台", "28800", []),
    ("打印复印", "喷墨打印机", "A4 彩色 连供", "L4268", "爱普生", "印度尼西亚", "台", "1299", []),
    ("打印复印", "高速扫描仪", "A4 60页/分钟 双面", "DS-770WII", "爱普生", "菲律宾", "台", "5199", []),
    ("打印复印", "针式票据打印机", "82列 平推", "LQ-630KII", "爱普生", "中国", "台", "1899", []),
    ("电脑外设", "商用台式电脑", "i5-13400/16G/512G SSD", "启天M437", "联想", "中国", "台", "5299", []),
    ("电脑外设", "商用笔记本电脑", "14英寸 i7/32G/1T", "ThinkPad T14", "联想", "中国", "台", "9899", []),
    ("电脑外设", "液晶显示器", "27英寸 2K IPS", "P27h-30", "联想", "中国", "台", "1699", []),
    ("电脑外设", "无线键鼠套装", "USB接收器 静音", "MK295", "罗技", "中国", "套", "149", [("箱", "20")]),
    ("电脑外设", "USB扩展坞", "Type-C 8合1", "HB0801", "绿联", "中国", "个", "299", [("箱", "50")]),
    ("电脑外设", "会议摄像头", "4K 120°广角", "C1000e", "罗技", "中国", "台", "1399", []),
    ("电脑外设", "不间断电源", "1KVA/800W 在线式", "C1KS", "山特", "中国", "台", "2680", []),
    ("电脑外设", "千兆交换机", "24口 机架式", "S1730S-S24T4S", "华为", "中国", "台", "1850", []),
    ("电脑外设", "无线路由器", "Wi-Fi 6 AX3000", "AX3 Pro", "华为", "中国", "台", "399", [("箱", "10")]),
    ("电脑外设", "移动硬盘", "2TB USB3.0", "Expansion", "希捷", "泰国", "个", "529", [("箱", "20")]),
    ("软件许可", "财务软件标准版", "5站点 年度订阅", "T+ Cloud", "畅捷通", "中国", "套", "6800", []),
    ("软件许可", "ERP管理软件", "20用户 永久授权", "U8+", "用友", "中国", "套", "68000", []),
    ("软件许可", "协同办公平台", "100用户 年度订阅", "A8+", "致远", "中国", "套", "39800", []),
    ("软件许可", "正版办公软件", "专业版 单用户", "WPS 365", "金山", "中国", "套", "398", []),
    ("软件许可", "终端杀毒软件", "企业版 1终端/年", "终端安全", "奇安信", "中国", "个", "120", [("套", "50")]),
    ("软件许可", "电子发票接口服务", "年度服务 不限张数", "EI-API", "百望云", "中国", "年", "3600", []),
    ("软件许可", "设计软件授权", "单用户 年度订阅", "CAD 2026", "中望", "中国", "套", "5980", []),
    ("软件许可", "数据库运维服务", "7×24 年度", "DBA-Care", "达梦", "中国", "年", "28000", []),
    ("纸张文具", "A4复印纸", "70g 500张/包", "佳印", "得力", "中国", "包", "24", [("箱", "5")]),
    ("纸张文具", "A3复印纸", "80g 500张/包", "金旗舰", "晨光", "中国", "包", "52", [("箱", "4")]),
    ("纸张文具", "中性签字笔", "0.5mm 黑色", "GP-1008", "晨光", "中国", "支", "1.5", [("盒", "12"), ("箱", "480")]),
    ("纸张文具", "文件夹", "A4 双夹 蓝色", "5302", "得力", "中国", "个", "8.8", [("箱", "60")]),
    ("纸张文具", "订书机", "12号 可订25页", "0414", "得力", "中国", "个", "16", [("盒", "10")]),
    ("纸张文具", "便利贴", "76×76mm 100张", "21203", "得力", "中国", "本", "3.5", [("包", "12")]),
    ("纸张文具", "挂耳咖啡", "10g/袋 中度烘焙", "经典", "隅田川", "中国", "袋", "3.5", [("箱", "24")]),
    ("纸张文具", "桶装饮用水", "18.9L", "天然水", "农夫山泉", "中国", "桶", "22", []),
    ("纸张文具", "抽纸", "3层130抽", "本色", "维达", "中国", "包", "4.2", [("箱", "24")]),
    ("硒鼓墨盒", "原装硒鼓", "黑色 约1500页", "CF230A", "惠普", "越南", "个", "528", [("箱", "10")]),
    ("硒鼓墨盒", "兼容硒鼓", "黑色 约1600页", "TN-2425", "天威", "中国", "个", "89", [("箱", "20")]),
    ("硒鼓墨盒", "彩色墨盒套装", "青品黄黑四色", "T6741-4", "爱普生", "中国", "套", "199", [("箱", "12")]),
    ("硒鼓墨盒", "复印机粉盒", "黑色 约15000页", "NPG-67", "佳能", "日本", "个", "458", [("箱", "6")]),
    ("硒鼓墨盒", "色带架", "LQ-630K 用", "S015583", "爱普生", "中国", "个", "35", [("盒", "10")]),
    ("硒鼓墨盒", "碳粉", "通用型 1kg", "TF-1000", "天威", "中国", "袋", "95", [("箱", "10")]),
    ("硒鼓墨盒", "感光鼓", "约12000页", "DR-2450", "兄弟", "中国", "个", "399", []),
)
# (level, share of the list price); the first is the list price itself.
LEVELS = (("零售价", Decimal("1")), ("批发价", Decimal("0.90")), ("经销商价", Decimal("0.80")))
# role code → the levels its users may quote at without approval.
GRANTS = {
    "sales_rep": ("零售价", "批发价"),
    "sales_manager": ("零售价", "批发价", "经销商价"),
    "sales_director": ("零售价", "批发价", "经销商价"),
}
CENT = Decimal("0.01")


def _owner(ctx):
    """Products are kept by the warehouse manager when there is one, else by the administrator."""
    return next(iter(ctx.users_with_role("warehouse")), None) or ctx.admin


def seed(ctx) -> None:
    # The common units first, then any other unit the products use, in order of appearance.
    names = list(dict.fromkeys([*UNITS, *(p[6] for p in PRODUCTS), *(u for p in PRODUCTS for u, _f in p[8])]))
    units = {}
    for index, name in enumerate(names):
        units[name], _created = Unit.objects.get_or_create(name=name, defaults={"sort": (index + 1) * 10})
    categories: dict[str, ProductCategory] = {}
    for index, (name, parent_name) in enumerate(CATEGORIES):
        parent = categories.get(parent_name)
        category = ProductCategory.objects.create(name=name, parent=parent, sort=(index + 1) * 10)
        category.path = f"{parent.path if parent else '/'}{category.pk}/"
        category.save(update_fields=["path"])
        categories[name] = category
    owner = _owner(ctx)
    department = getattr(owner, "department", None)
    rows = []
    for cat, name, spec, model, brand, origin, unit, price, _conv in PRODUCTS:
        list_price = Decimal(price)
        rows.append(Product(
            code=next_code("product"), name=name, spec=spec, model=model, brand=brand, origin=origin,
            category=categories[cat], base_unit=units[unit], list_price=list_price,
            cost_price=(list_price * Decimal("0.68")).quantize(CENT, rounding=ROUND_HALF_UP),
            owner=owner, department=department, created_by=owner,
        ))
    products = Product.objects.bulk_create(rows)
    levels = {name: PriceLevel.objects.create(name=name, sort=(index + 1) * 10)
              for index, (name, _share) in enumerate(LEVELS)}
    conversions, prices = [], []
    for product, spec in zip(products, PRODUCTS, strict=True):
        conversions += [UnitConversion(product=product, unit=units[u], factor=Decimal(f)) for u, f in spec[8]]
        prices += [ProductPrice(product=product, level=levels[name],
                                price=(product.list_price * share).quantize(CENT, rounding=ROUND_HALF_UP))
                   for name, share in LEVELS]
    UnitConversion.objects.bulk_create(conversions)
    ProductPrice.objects.bulk_create(prices)
    grants = [PriceLevelGrant(role=ctx.roles[code], level=levels[name])
              for code, names in GRANTS.items() if code in ctx.roles for name in names]
    PriceLevelGrant.objects.bulk_create(grants)
    ctx.products = products
    ctx.log(f"products: {len(products)} products in {len(categories)} categories, {len(conversions)} unit conversions, "
            f"{len(prices)} prices at {len(levels)} levels")
