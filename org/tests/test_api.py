"""Organisation endpoints: department tree, users (create, disable, leave), roles with their grants,
field rules, lookups and /me — and that a non-administrator can neither read nor change them."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditLog, LookupItem
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Department, FieldRule, Grant, Role, Scope, User

pytestmark = pytest.mark.django_db
API = "/api/v1/"
STRONG = "Zg-Strong-Pass-2026!"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def admin(admin_user):
    return client_for(admin_user)


# ---- departments -------------------------------------------------------------------------------

def test_create_a_department_tree_and_move_a_branch(admin):
    def create(name, parent=None):
        response = admin.post(f"{API}departments/", {"name": name, "parent": parent}, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    company = create("总公司")
    sales = create("销售部", company["id"])
    east = create("华东组", sales["id"])
    service = create("客服部", company["id"])
    assert east["path"] == f"/{company['id']}/{sales['id']}/{east['id']}/" and east["depth"] == 2
    listing = {d["id"]: d for d in admin.get(f"{API}departments/").json()["results"]}
    assert listing[company["id"]]["children_count"] == 2 and listing[sales["id"]]["children_count"] == 1

    moved = admin.post(f"{API}departments/{sales['id']}/move/", {"parent": service["id"]}, format="json")
    assert moved.status_code == 200 and moved.json()["parent"] == service["id"]
    # The whole subtree follows.
    assert Department.objects.get(pk=east["id"]).path == f"/{company['id']}/{service['id']}/{sales['id']}/{east['id']}/"
    assert AuditLog.objects.filter(action="update", object_id=sales["id"]).exists()


def test_a_department_cannot_move_under_itself_or_be_deleted_while_not_empty(admin):
    top = make_department("总公司")
    child = make_department("子部门", top)
    response = admin.post(f"{API}departments/{top.pk}/move/", {"parent": child.pk}, format="json")
    assert response.status_code == 400
    top.refresh_from_db()
    assert top.parent_id is None and top.path == f"/{top.pk}/"
    assert admin.delete(f"{API}departments/{top.pk}/").status_code == 400
    assert admin.delete(f"{API}departments/{child.pk}/").status_code == 204
    assert not Department.objects.filter(pk=child.pk).exists()


def test_patch_a_department_keeps_what_it_does_not_name(admin):
    top = make_department("总公司")
    child = make_department("子部门", top)
    response = admin.patch(f"{API}departments/{child.pk}/", {"name": "市场部"}, format="json")
    assert response.status_code == 200
    child.refresh_from_db()
    assert child.name == "市场部" and child.parent_id == top.pk


# ---- users -------------------------------------------------------------------------------------

def test_create_user_validates_the_password(admin):
    dept = make_department()
    role = make_role()
    weak = admin.post(f"{API}users/", {"username": "zhangsan", "password": "123", "department": dept.pk}, format="json")
    assert weak.status_code == 400 and "password" in str(weak.json()["error"]["fields"]) + weak.json()["error"]["message"]
    assert not User.objects.filter(username="zhangsan").exists()
    missing = admin.post(f"{API}users/", {"username": "zhangsan"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()["error"]["fields"]
    ok = admin.post(f"{API}users/", {"username": "zhangsan", "password": STRONG, "last_name": "张", "first_name": "三",
                                     "department": dept.pk, "roles": [role.pk]}, format="json")
    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert body["full_name"] == "张三" and body["roles"] == [role.pk] and "password" not in body
    assert body["must_change_password"] is True
    user = User.objects.get(username="zhangsan")
    assert user.check_password(STRONG)
    assert AuditLog.objects.filter(action="create", object_id=user.pk).exists()


def test_update_disable_and_password_reset(admin):
    user = make_user("lisi")
    assert admin.patch(f"{API}users/{user.pk}/", {"title": "经理"}, format="json").status_code == 200
    assert admin.patch(f"{API}users/{user.pk}/", {"password": STRONG}, format="json").status_code == 400
    assert admin.post(f"{API}users/{user.pk}/disable/").json()["is_active"] is False
    assert admin.post(f"{API}users/{user.pk}/set-password/", {"password": "short"}, format="json").status_code == 400
    assert admin.post(f"{API}users/{user.pk}/set-password/", {"password": STRONG}, format="json").status_code == 204
    user.refresh_from_db()
    assert user.title == "经理" and not user.is_active and user.check_password(STRONG) and user.must_change_password
    assert admin.delete(f"{API}users/{user.pk}/").status_code == 405


def test_staff_cannot_change_a_superuser(admin_user):
    staff = make_user(is_staff=True)
    api = client_for(staff)
    response = api.post(f"{API}users/{admin_user.pk}/set-password/", {"password": STRONG}, format="json")
    assert response.status_code == 403
    assert api.patch(f"{API}users/{admin_user.pk}/", {"email": "x@example.com"}, format="json").status_code == 403
    admin_user.refresh_from_db()
    assert not admin_user.check_password(STRONG) and admin_user.email != "x@example.com"


def test_user_leave_hands_records_over(admin):
    dept = make_department()
    leaving = make_user(department=dept)
    heir = make_user(department=make_department())
    row = Customer.objects.create(name="交接客户", owner=leaving, department=dept, created_by=leaving)
    assert admin.post(f"{API}users/{leaving.pk}/leave/", {}, format="json").status_code == 400
    response = admin.post(f"{API}users/{leaving.pk}/leave/", {"transfer_to": heir.pk}, format="json")
    assert response.status_code == 200 and response.json()["moved"]["customers.Customer"] == 1
    row.refresh_from_db()
    leaving.refresh_from_db()
    assert row.owner == heir and row.department == heir.department
    assert leaving.status == User.Status.LEFT and not leaving.is_active
    assert admin.post(f"{API}users/{leaving.pk}/leave/", {"transfer_to": heir.pk}, format="json").status_code == 400


# ---- roles, grants, field rules ----------------------------------------------------------------

def test_role_grants_matrix_round_trip(admin):
    created = admin.post(f"{API}roles/", {"name": "业务员", "code": "seller",
                                          "grants": {"customers.customer": {"read": 3, "update": 1}}}, format="json")
    assert created.status_code == 201, created.content
    role_id = created.json()["id"]
    assert created.json()["grants"] == {"customers.customer": {"read": 3, "update": 1}}
    replaced = admin.patch(f"{API}roles/{role_id}/", {"grants": {"customers.customer": {"read": 4, "delete": 0}}}, format="json")
    assert replaced.json()["grants"] == {"customers.customer": {"read": 4}}
    assert set(Grant.objects.filter(role_id=role_id).values_list("action", "scope")) == {("read", 4)}


@pytest.mark.parametrize("grants", [
    {"nope.module": {"read": 1}}, {"customers.customer": {"fly": 1}}, {"customers.customer": {"read": 7}},
    {"customers.customer": {"read": "all"}}, {"customers.customer": ["read"]}, ["customers.customer"],
])
def test_bad_grants_are_refused_and_change_nothing(admin, grants):
    role = make_role(grants={"customers.customer": {"read": 1}})
    response = admin.patch(f"{API}roles/{role.pk}/", {"name": "改名", "grants": grants}, format="json")
    assert response.status_code == 400
    role.refresh_from_db()
    assert role.name != "改名"
    assert list(Grant.objects.filter(role=role).values_list("action", "scope")) == [("read", 1)]
    before = Role.objects.count()
    assert admin.post(f"{API}roles/", {"name": "新", "code": "new", "grants": grants}, format="json").status_code == 400
    assert Role.objects.count() == before


def test_field_rules(admin):
    role = make_role()
    response = admin.post(f"{API}field-rules/", {"role": role.pk, "module": "customers.customer", "field": "phone",
                                                 "mode": "hidden"}, format="json")
    assert response.status_code == 201, response.content
    rule_id = response.json()["id"]
    assert admin.post(f"{API}field-rules/", {"role": role.pk, "module": "customers.customer", "field": "phone",
                                             "mode": "readonly"}, format="json").status_code == 400
    assert admin.post(f"{API}field-rules/", {"role": role.pk, "module": "customers.customer", "field": "nope",
                                             "mode": "hidden"}, format="json").status_code == 400
    assert admin.patch(f"{API}field-rules/{rule_id}/", {"mode": "readonly"}, format="json").json()["mode"] == "readonly"
    assert admin.delete(f"{API}field-rules/{rule_id}/").status_code == 204
    assert not FieldRule.objects.exists()
    assert AuditLog.objects.filter(object_id=role.pk, action="update").count() == 3


# ---- lookups and /me ---------------------------------------------------------------------------

def test_lookups_readable_by_all_writable_by_admins(admin):
    seller = client_for(make_user())
    item = LookupItem.objects.create(kind="industry", code="it", name="软件")
    assert [r["name"] for r in seller.get(f"{API}lookups/", {"kind": "industry"}).json()["results"]] == ["软件"]
    assert seller.post(f"{API}lookups/", {"kind": "industry", "name": "制造"}, format="json").status_code == 403
    assert seller.patch(f"{API}lookups/{item.pk}/", {"name": "改"}, format="json").status_code == 403
    assert seller.delete(f"{API}lookups/{item.pk}/").status_code == 403
    created = admin.post(f"{API}lookups/", {"kind": "industry", "name": "制造"}, format="json")
    assert created.status_code == 201 and created.json()["code"]
    assert admin.post(f"{API}lookups/", {"kind": "no_such_list", "name": "x"}, format="json").status_code == 400
    assert admin.patch(f"{API}lookups/{item.pk}/", {"name": "软件和信息技术", "active": False}, format="json").status_code == 200
    item.refresh_from_db()
    assert item.name == "软件和信息技术" and not item.active
    assert admin.delete(f"{API}lookups/{item.pk}/").json() == {"result": "deleted"}


def test_me_reports_effective_grants():
    role = make_role(grants=full_grants("customers.customer", Scope.DEPARTMENT, actions=["read", "update"]))
    FieldRule.objects.create(role=role, module="customers.customer", field="phone", mode="hidden")
    user = make_user(department=make_department("销售部"), roles=[role])
    body = client_for(user).get(f"{API}me/").json()
    assert body["department"]["name"] == "销售部" and body["roles"][0]["id"] == role.pk
    assert body["grants"]["customers.customer"]["read"] == Scope.DEPARTMENT
    assert body["grants"]["customers.customer"]["delete"] == Scope.NONE
    assert body["hidden_fields"]["customers.customer"] == ["phone"]


# ---- non-administrators ------------------------------------------------------------------------

@pytest.mark.parametrize("method,path,payload", [
    ("get", "departments/", None), ("post", "departments/", {"name": "黑客部"}),
    ("post", "departments/{dept}/move/", {"parent": None}), ("delete", "departments/{dept}/", None),
    ("get", "users/", None), ("post", "users/", {"username": "eve", "password": STRONG}),
    ("post", "users/{user}/leave/", {"release_to_pool": True}), ("post", "users/{user}/disable/", None),
    ("get", "roles/", None), ("patch", "roles/{role}/", {"grants": {"customers.customer": {"read": 4}}}),
    ("post", "field-rules/", {"role": "{role}", "module": "customers.customer", "field": "phone", "mode": "hidden"}),
])
def test_non_admin_gets_403_and_changes_nothing(method, path, payload):
    top = make_department("总公司")
    dept = make_department("销售部", top)
    role = make_role(grants={"customers.customer": {"read": 1}})
    # A user with every business permission is still no administrator.
    user = make_user(department=dept, roles=[make_role(grants=full_grants("customers.customer", Scope.ALL)), role])
    victim = make_user(department=dept)
    ids = {"dept": dept.pk, "user": victim.pk, "role": role.pk}
    if payload:
        payload = {k: (ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v) for k, v in payload.items()}
    response = getattr(client_for(user), method)(API + path.format(**ids), payload, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    dept.refresh_from_db()
    victim.refresh_from_db()
    assert dept.parent_id == top.pk and victim.is_active and victim.status == User.Status.ACTIVE
    assert Department.objects.count() == 2 and not User.objects.filter(username="eve").exists()
    assert list(Grant.objects.filter(role=role).values_list("scope", flat=True)) == [1]
    assert not FieldRule.objects.exists() and not AuditLog.objects.exists()


def test_token_from_the_token_endpoint_opens_the_api():
    user = make_user("wangwu", password=STRONG, roles=[make_role(grants=full_grants("customers.customer", Scope.OWN))])
    anonymous = APIClient()
    assert anonymous.post(f"{API}auth/token/", {"username": "wangwu", "password": "wrong"}, format="json").status_code == 400
    token = anonymous.post(f"{API}auth/token/", {"username": "wangwu", "password": STRONG}, format="json").json()["token"]
    me = APIClient().get(f"{API}me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200 and me.json()["id"] == user.pk
    # Leaving ends the token: the same request is now unauthenticated.
    from org import services

    services.user_leave(actor=None, user=user, release_to_pool=True)
    assert APIClient().get(f"{API}me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
