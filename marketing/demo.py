"""Demo data of the marketing app: a lead team, a web form and ~80 leads in every state.

Called by the demo seeder (core.demo) after customers: add ``core/demo/marketing.py`` holding
``from marketing.demo import ORDER, seed  # noqa: F401``. Written in bulk like the other demo data
(no audit entries: they are the starting state, not changes anyone made).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.basedata import ensure_default_lookups
from core.demo.customers import _company, _create_keeping_dates, _office_time
from core.demo.names import CITIES, CONTACT_TITLES, mobile, person_name, pinyin, weighted
from core.models import LookupItem
from customers.models import Region

from .keys import fill_keys
from .models import Lead, LeadTeam, WebForm

ORDER = 40
DEFAULT_COUNT = 80
STATUSES = ((Lead.Status.NEW, 30), (Lead.Status.CONTACTED, 20), (Lead.Status.QUALIFIED, 15), (Lead.Status.LOST, 15),
            (Lead.Status.CONVERTED, 20))
ORIGINS = ((Lead.Origin.MANUAL, 40), (Lead.Origin.IMPORT, 25), (Lead.Origin.WEB_FORM, 35))
CAMPAIGNS = ("2026春季工博会", "官网免费试用", "百度推广-设备维护", "行业沙龙(上海)", "老客户推荐计划")
REQUIREMENTS = ("想了解设备年度维保方案和报价", "需要 20 台设备，下月招标", "咨询软件试用，希望演示", "对比几家供应商，关注交期",
                "产线扩建，需要整体方案", "价格敏感，先要一份报价单")
SALES_TEAM = ("上海组", "杭州组")


def _lookups(kind: str) -> list:
    return list(LookupItem.objects.filter(kind=kind, active=True))


def _region(city_name: str):
    city = Region.objects.filter(level=2, name__startswith=city_name).select_related("parent").first()
    return (city.parent if city else None), city


def seed(ctx) -> None:
    rng = ctx.rng("marketing")
    ensure_default_lookups(["lead_lost_reason", "industry", "customer_source"])
    reasons, industries, sources = _lookups("lead_lost_reason"), _lookups("industry"), _lookups("customer_source")
    members = [u for name in SALES_TEAM for u in ctx.users.values() if u.department and u.department.name == name]
    team = LeadTeam.objects.create(name="华东线索轮流组", department=ctx.departments.get("华东销售部"))
    if members:
        team.members.set(members)
    website = next((s for s in sources if s.code == "website"), None)
    form = WebForm.objects.create(
        slug="trial", title="申请免费试用", intro="留下联系方式，我们的顾问会在一个工作日内联系您。",
        fields=["company", "mobile", "email", "requirement"], required=["mobile"], team=team, source=website,
        campaign="官网免费试用", thank_you="提交成功！顾问会尽快与您联系。", created_by=ctx.admin)
    marketer = ctx.users.get("liangchen") or ctx.admin
    owners = members or [marketer]
    today = timezone.localtime(ctx.now).date()
    taken = {c.name for c in ctx.customers}
    rows, turn = [], 0
    customers = list(ctx.customers)
    rng.shuffle(customers)
    for _ in range(int(ctx.options.get("leads", DEFAULT_COUNT))):
        city = CITIES[rng.choice(list(CITIES))]
        company = _company(rng, city, taken)[0]
        family, given = person_name(rng)
        status = weighted(rng, STATUSES)[0]
        origin = weighted(rng, ORIGINS)[0]
        created = _office_time(rng, today - timedelta(days=rng.randint(0, 120)), ctx.now)
        # Most new leads still wait in the pool; the others went round the team in turn.
        pooled = status == Lead.Status.NEW and rng.random() < 0.6
        from_team = not pooled and not (status == Lead.Status.CONVERTED and customers)
        owner = owners[turn % len(owners)] if from_team else None
        turn += 1 if from_team else 0
        province, region_city = _region(city.name)
        lead = Lead(
            company=company, contact_name=family + given, title=weighted(rng, CONTACT_TITLES)[0], mobile=mobile(rng),
            email=f"{pinyin(family + given)}@example.cn" if rng.random() < 0.5 else "",
            province=province, city=region_city, industry=rng.choice(industries) if industries else None,
            source=website if origin == Lead.Origin.WEB_FORM else (rng.choice(sources) if sources else None),
            campaign=rng.choice(CAMPAIGNS), requirement=rng.choice(REQUIREMENTS), status=status, origin=origin,
            web_form=form if origin == Lead.Origin.WEB_FORM else None,
            # Unassigned leads sit with the marketing department, which collects them and hands them out.
            owner=owner, department=owner.department if owner else marketer.department,
            created_by=None if origin == Lead.Origin.WEB_FORM else marketer,
            assigned_at=created + timedelta(hours=rng.randint(1, 48)) if owner else None,
            created_at=created, updated_at=created)
        if status == Lead.Status.LOST and reasons:
            lead.lost_reason, lead.lost_at = rng.choice(reasons), created + timedelta(days=rng.randint(1, 20))
        if status == Lead.Status.CONVERTED and customers:
            # A converted lead is where one of the demo customers came from: same name, its first contact.
            customer = customers.pop()
            contact = customer.contacts.order_by("id").first()
            lead.company, lead.customer, lead.contact = customer.name, customer, contact
            if contact is not None:
                lead.contact_name, lead.mobile = contact.name, contact.mobile
            lead.owner = lead.converted_by = customer.owner
            lead.department = customer.department
            lead.converted_at = max(created, customer.created_at)
            lead.assigned_at = created
        elif status == Lead.Status.CONVERTED:
            lead.status = Lead.Status.QUALIFIED
        fill_keys(lead)
        rows.append(lead)
    team.last_assignee = owners[(turn - 1) % len(owners)] if turn and members else None
    team.assigned_count = turn if members else 0
    team.save(update_fields=["last_assignee", "assigned_count"])
    _create_keeping_dates(Lead, rows)
    ctx.log(f"marketing: {len(rows)} leads, 1 team, 1 web form")
