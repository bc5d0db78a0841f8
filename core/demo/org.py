"""The demo company's organisation: department tree, roles with their permission matrices, people."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from core import access
from org.models import Department, Role, Scope, User
from org.services import department_create, role_set_grants

from .names import mobile

ORDER = 10
EMAIL_DOMAIN = "example.com"

# (name, parent name)
DEPARTMENTS = (
    ("总经办", None), ("销售中心", None), ("华东销售部", "销售中心"), ("上海组", "华东销售部"), ("杭州组", "华东销售部"),
    ("华南销售部", "销售中心"), ("华北销售部", "销售中心"), ("客户服务部", None), ("仓储物流部", None), ("财务部", None),
    ("市场部", None),
)

# Modules are grouped by the app that registers them ("customers.customer" → customers), so the
# matrices below also cover the modules of apps added later.
SALES = {"customers", "sales", "contracts"}
MARKETING = {"marketing"}
CATALOG = {"products"}
STOCK = {"inventory"}
SERVICE = {"service"}
FINANCE = {"finance"}
PERSONAL = {"work", "approvals"}  # todos, plans, reports, approval requests: everyone has their own

ALL_ACTIONS = tuple(access.ACTIONS)
EDIT = ("read", "create", "update", "share", "print")


def _scopes(actions, scope: int, **extra: int) -> dict[str, int]:
    return {**{action: scope for action in actions}, **extra}


def _boss(app: str) -> dict[str, int]:
    return _scopes(ALL_ACTIONS, Scope.ALL)


def _sales_director(app: str) -> dict[str, int]:
    # Runs the sales centre; reads everything the company does.
    if app in SALES | MARKETING:
        return _scopes(ALL_ACTIONS, Scope.SUBTREE, read=Scope.ALL, export=Scope.ALL)
    if app in PERSONAL:
        return _scopes(ALL_ACTIONS, Scope.SUBTREE)
    return {"read": Scope.ALL, "print": Scope.ALL}


def _sales_manager(app: str) -> dict[str, int]:
    if app in SALES or app in PERSONAL:
        return _scopes(ALL_ACTIONS, Scope.SUBTREE)
    if app in CATALOG:
        return {"read": Scope.ALL, "print": Scope.ALL}
    if app in MARKETING | SERVICE | FINANCE:
        return {"read": Scope.SUBTREE}
    return {}


def _sales_rep(app: str) -> dict[str, int]:
    if app in SALES:
        return _scopes(EDIT, Scope.OWN, delete=Scope.OWN)
    if app in PERSONAL or app in FINANCE:  # own expense claims and advances
        return _scopes(EDIT, Scope.OWN)
    if app in CATALOG:
        return {"read": Scope.ALL}
    if app in SERVICE:
        return {"read": Scope.OWN, "create": Scope.OWN}
    return {}


def _service(app: str) -> dict[str, int]:
    # After-sales customers are handed to the service department and kept there.
    if app in SALES:
        return {"read": Scope.DEPARTMENT, "update": Scope.OWN, "print": Scope.DEPARTMENT}
    if app in SERVICE:
        return _scopes(ALL_ACTIONS, Scope.DEPARTMENT)
    if app in PERSONAL:
        return _scopes(EDIT, Scope.OWN)
    if app in CATALOG | STOCK:
        return {"read": Scope.ALL}
    return {}


def _warehouse(app: str) -> dict[str, int]:
    if app in STOCK | CATALOG:
        return _scopes(ALL_ACTIONS, Scope.ALL)
    if app == "sales":  # orders and contracts to ship against
        return {"read": Scope.ALL, "print": Scope.ALL}
    if app in PERSONAL:
        return _scopes(EDIT, Scope.OWN)
    return {}


def _finance(app: str) -> dict[str, int]:
    if app in FINANCE:
        return _scopes(ALL_ACTIONS, Scope.ALL)
    if app in PERSONAL:
        return _scopes(EDIT, Scope.OWN)
    return {"read": Scope.ALL, "export": Scope.ALL, "print": Scope.ALL}


def _marketing(app: str) -> dict[str, int]:
    if app in MARKETING:
        return _scopes(ALL_ACTIONS, Scope.DEPARTMENT)
    if app in SALES:  # customers and leads won by campaigns
        return _scopes(EDIT, Scope.OWN)
    if app in PERSONAL:
        return _scopes(EDIT, Scope.OWN)
    if app in CATALOG:
        return {"read": Scope.ALL}
    return {}


# code → (name, description, matrix function, may back up)
ROLES = {
    "boss": ("总经理", "全公司全部数据的全部操作", _boss, True),
    "sales_director": ("销售总监", "销售中心及下级部门；全公司数据只读", _sales_director, False),
    "sales_manager": ("销售经理", "本部门及下级部门的销售数据", _sales_manager, False),
    "sales_rep": ("业务员", "本人的客户与销售数据", _sales_rep, False),
    "service": ("客服专员", "本部门的售后客户与服务工单", _service, False),
    "warehouse": ("库管员", "产品与库存；可查看订单以便发货", _warehouse, False),
    "finance": ("财务", "财务数据；全公司数据只读，可导出", _finance, False),
    "marketing": ("市场专员", "本部门的市场活动与线索", _marketing, False),
}

# username, family name, given name, department, title, role, superior
PEOPLE = (
    ("wangjianguo", "王", "建国", "总经办", "总经理", "boss", None),
    ("zhaomin", "赵", "敏", "总经办", "总经理助理", "finance", "wangjianguo"),
    ("chenzhiqiang", "陈", "志强", "销售中心", "销售总监", "sales_director", "wangjianguo"),
    ("liuyang", "刘", "洋", "华东销售部", "华东销售部经理", "sales_manager", "chenzhiqiang"),
    ("zhangwei", "张", "伟", "上海组", "上海组组长", "sales_manager", "liuyang"),
    ("lina", "李", "娜", "上海组", "销售代表", "sales_rep", "zhangwei"),
    ("zhoujie", "周", "杰", "上海组", "销售代表", "sales_rep", "zhangwei"),
    ("wuting", "吴", "婷", "杭州组", "杭州组组长", "sales_manager", "liuyang"),
    ("zhenghao", "郑", "浩", "杭州组", "销售代表", "sales_rep", "wuting"),
    ("sunli", "孙", "丽", "杭州组", "销售代表", "sales_rep", "wuting"),
    ("huanglei", "黄", "磊", "华南销售部", "华南销售部经理", "sales_manager", "chenzhiqiang"),
    ("linxiaoyan", "林", "小燕", "华南销售部", "销售代表", "sales_rep", "huanglei"),
    ("hejun", "何", "俊", "华南销售部", "销售代表", "sales_rep", "huanglei"),
    ("machao", "马", "超", "华北销售部", "华北销售部经理", "sales_manager", "chenzhiqiang"),
    ("gaojing", "高", "静", "华北销售部", "销售代表", "sales_rep", "machao"),
    ("xuming", "徐", "明", "客户服务部", "客服主管", "service", "wangjianguo"),
    ("zhulin", "朱", "琳", "客户服务部", "客服专员", "service", "xuming"),
    ("hubin", "胡", "斌", "仓储物流部", "仓库主管", "warehouse", "wangjianguo"),
    ("guofang", "郭", "芳", "财务部", "财务经理", "finance", "wangjianguo"),
    ("luomin", "罗", "敏", "财务部", "会计", "finance", "guofang"),
    ("liangchen", "梁", "晨", "市场部", "市场经理", "marketing", "wangjianguo"),
)
# The person who heads each department.
HEADS = {"总经办": "wangjianguo", "销售中心": "chenzhiqiang", "华东销售部": "liuyang", "上海组": "zhangwei",
         "杭州组": "wuting", "华南销售部": "huanglei", "华北销售部": "machao", "客户服务部": "xuming",
         "仓储物流部": "hubin", "财务部": "guofang", "市场部": "liangchen"}


def grant_matrix(role_code: str) -> dict[str, dict[str, int]]:
    matrix_for = ROLES[role_code][2]
    out = {module: matrix_for(module.split(".", 1)[0]) for module in access.MODULES}
    # Leads are routed to salespeople: they work their own leads like their customers.
    if role_code in ("sales_rep", "sales_manager") and "marketing.lead" in out:
        out["marketing.lead"] = matrix_for("customers")
    return out


def seed(ctx) -> None:
    rng = ctx.rng("org")
    # Every demo user has the same password; hashing it once keeps seeding fast.
    password = make_password(ctx.password)
    admin = User.objects.create(username="admin", password=password, is_superuser=True, is_staff=True,
                                last_name="系统", first_name="管理员", title="系统管理员", email=f"admin@{EMAIL_DOMAIN}",
                                password_changed_at=ctx.now)
    ctx.admin = admin

    for name, parent in DEPARTMENTS:
        ctx.departments[name] = department_create(actor=admin, name=name, parent=ctx.departments.get(parent),
                                                  sort=len(ctx.departments) * 10)

    for code, (name, description, _matrix, can_backup) in ROLES.items():
        role = Role.objects.create(code=code, name=name, description=description, can_backup=can_backup)
        role_set_grants(actor=admin, role=role, grants=grant_matrix(code))
        ctx.roles[code] = role

    phones = set()
    for username, family, given, dept, title, role, superior in PEOPLE:
        phone = mobile(rng)
        while phone in phones:
            phone = mobile(rng)
        phones.add(phone)
        user = User.objects.create(
            username=username, password=password, last_name=family, first_name=given, email=f"{username}@{EMAIL_DOMAIN}",
            department=ctx.departments[dept], title=title, phone=phone,
            superior=ctx.users[superior] if superior else None, password_changed_at=ctx.now)
        user.roles.set([ctx.roles[role]])
        ctx.users[username] = user
        ctx.role_of[username] = role

    admin.department = ctx.departments["总经办"]
    admin.save(update_fields=["department"])
    for dept, username in HEADS.items():
        Department.objects.filter(pk=ctx.departments[dept].pk).update(manager=ctx.users[username])
    ctx.log(f"organisation: {len(ctx.departments)} departments, {len(ctx.roles)} roles, {len(ctx.users) + 1} users")
