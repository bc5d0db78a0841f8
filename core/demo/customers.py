"""A few hundred customers with contacts, held by the salespeople of the region they are in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from core.models import LookupItem
from core.numbering import next_code
from customers.models import Contact, Customer, Region

from .names import (
    BRANDS,
    CITIES,
    COMPANY_SUFFIXES,
    CONTACT_TITLES,
    CUSTOMER_NOTES,
    TRADES,
    address,
    credit_code,
    initials,
    landline,
    mobile,
    person_name,
    pinyin,
    weighted,
)

ORDER = 20
DEFAULT_COUNT = 300

# Who sells where: (department, cities, share of the customers)
TERRITORIES = (
    ("上海组", ("上海",), 24),
    ("杭州组", ("杭州", "宁波", "绍兴", "嘉兴"), 22),
    ("华南销售部", ("广州", "深圳", "东莞", "佛山"), 24),
    ("华北销售部", ("北京", "天津", "石家庄", "济南", "青岛"), 20),
    ("客户服务部", ("上海", "杭州"), 5),  # after-sales accounts handed over
    ("销售中心", ("上海", "北京", "深圳"), 5),  # key accounts the sales director keeps
)
# (status, levels to pick from, weight)
STATUSES = (
    (Customer.Status.POTENTIAL, ("C", "D", "D"), 35),
    (Customer.Status.INTENT, ("B", "C", "C"), 30),
    (Customer.Status.DEAL, ("A", "A", "B", "B", "C"), 28),
    (Customer.Status.LOST, ("C", "D"), 7),
)
TYPES = (("enterprise", 80), ("distributor", 10), ("agent", 6), ("partner", 4))
SOURCES = (("self_developed", 25), ("referral", 18), ("phone_in", 10), ("exhibition", 14), ("website", 12),
           ("online", 9), ("advertising", 4), ("event", 5), ("partner", 3))


def _lookups(kind: str) -> dict[str, LookupItem]:
    return {item.code: item for item in LookupItem.objects.filter(kind=kind)}


def _company(rng, city, taken: set[str]) -> tuple[str, str, str, str]:
    """(name, short name, website domain, industry code), with a name not used before."""
    while True:
        brand = rng.choice(BRANDS)
        trade, short, industry, _weight = weighted(rng, TRADES)
        suffix = weighted(rng, COMPANY_SUFFIXES)[0]
        # "深圳市华信电子科技有限公司" and "深圳华信电子科技有限公司" are both common; 直辖市 rarely take 市.
        town = city.name + ("市" if city.province and rng.random() < 0.5 else "")
        name = f"{town}{brand}{trade}{suffix}"
        if name not in taken:
            taken.add(name)
            domain = f"{pinyin(brand)}{initials(trade)}.com"
            return name, f"{brand}{short}", domain, industry


def _region_chain(regions: dict, code: str) -> tuple:
    """(province, city, district) of a division code, as a person would pick them: walked up from the
    division by its level, so a city with no districts (东莞市, 中山市) is the city, with no district."""
    chain = {1: None, 2: None, 3: None}
    region = regions.get(code)
    while region is not None:
        chain[region.level] = region
        region = regions.get(region.parent_id)
    return chain[1], chain[2], chain[3]


def _owners(ctx) -> dict[str, list]:
    """Department → the people who hold customers there (a team lead holds fewer than a salesperson)."""
    holders: dict[str, list] = {}
    for username, role in ctx.role_of.items():
        user = ctx.users[username]
        weight = {"sales_rep": 3, "sales_manager": 1, "sales_director": 2, "service": 2}.get(role, 0)
        holders.setdefault(user.department.name, []).extend([user] * weight)
    # The regional teams' managers sit one level up (华东销售部) and hold accounts in their sub-teams' regions.
    holders["上海组"] = holders.get("上海组", []) + holders.get("华东销售部", [])
    return holders


def seed(ctx) -> None:
    rng = ctx.rng("customers")
    count = int(ctx.options.get("customers", DEFAULT_COUNT))
    levels, types, industries, sources = (_lookups(k) for k in ("customer_level", "customer_type", "industry", "customer_source"))
    holders = _owners(ctx)
    today = timezone.localtime(ctx.now).date()
    names: set[str] = set()
    regions = {region.code: region for region in Region.objects.all()}
    rows = []
    for _ in range(count):
        dept, cities, _share = weighted(rng, TERRITORIES)
        owner = rng.choice(holders[dept])
        city = CITIES[rng.choice(cities)]
        name, short, domain, industry = _company(rng, city, names)
        status, level_codes, _weight = weighted(rng, STATUSES)
        if dept == "客户服务部":
            status, level_codes = Customer.Status.DEAL, ("A", "B")
        created = _office_time(rng, today - timedelta(days=rng.randint(0, 364)), ctx.now)
        street, division = address(rng, city)
        province, town, district = _region_chain(regions, division)
        active = status != Customer.Status.LOST
        day = timezone.localtime(created).date()
        followed = max(_office_time(rng, day + timedelta(days=rng.randint(0, (today - day).days)), ctx.now), created)
        rows.append(Customer(
            name=name, short_name=short, type=types.get(weighted(rng, TYPES)[0]), level=levels.get(rng.choice(level_codes)),
            status=status, industry=industries.get(industry), source=sources.get(weighted(rng, SOURCES)[0]),
            phone=landline(rng, city) if rng.random() < 0.85 else mobile(rng),
            website=f"www.{domain}" if rng.random() < 0.7 else "", address=street,
            province=province, city=town, district=district,
            credit_code=credit_code(rng, division) if rng.random() < 0.8 else "",
            amount=Decimal(rng.randrange(50_000, 3_000_000, 1000)) if status == Customer.Status.DEAL else Decimal(0),
            next_followup_on=(ctx.now + timedelta(days=rng.randint(1, 30))).date() if active and rng.random() < 0.7 else None,
            last_followup_at=followed if rng.random() < 0.85 else None, notes=rng.choice(CUSTOMER_NOTES),
            owner=owner, department=owner.department, created_by=owner, created_at=created, updated_at=followed,
        ))
    # Codes follow the numbering rule and the creation date, oldest customer first.
    rows.sort(key=lambda c: c.created_at)
    for row in rows:
        row.code = next_code("customer", when=row.created_at)
    customers = _create_keeping_dates(Customer, rows)

    contacts = []
    for customer in customers:
        for _ in range(weighted(rng, ((1, 45), (2, 40), (3, 15)))[0]):
            family, given = person_name(rng)
            title = weighted(rng, CONTACT_TITLES)[0]
            email = f"{pinyin(family + given)}@{customer.website[4:]}" if customer.website and rng.random() < 0.7 else ""
            born = rng.random() < 0.4
            added = min(customer.created_at + timedelta(minutes=rng.randint(1, 30)), ctx.now)
            contacts.append(Contact(
                customer=customer, name=family + given, title=title, mobile=mobile(rng), email=email,
                birthday=(ctx.now - timedelta(days=rng.randint(25 * 365, 58 * 365))).date() if born else None,
                owner=customer.owner, department=customer.department, created_by=customer.created_by,
                created_at=added, updated_at=max(added, customer.updated_at),
            ))
    _create_keeping_dates(Contact, contacts)
    ctx.customers = customers
    ctx.log(f"customers: {len(customers)} customers, {len(contacts)} contacts")


def _office_time(rng, day: date, now: datetime) -> datetime:
    """A moment in office hours on ``day`` (a weekend day moves back to Friday), never after ``now``."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59), rng.randint(0, 59))))
    return min(moment, now)


def _create_keeping_dates(model, rows: list) -> list:
    """bulk_create stamps auto_now(_add) fields with the current time; put the spread-out dates back."""
    dates = [(row.created_at, row.updated_at) for row in rows]
    created = model.objects.bulk_create(rows, batch_size=500)
    for row, (created_at, updated_at) in zip(created, dates, strict=True):
        row.created_at, row.updated_at = created_at, updated_at
    model.objects.bulk_update(created, ["created_at", "updated_at"], batch_size=200)
    return created
