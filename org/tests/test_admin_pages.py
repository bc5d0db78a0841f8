"""Organisation administration pages: departments, users, leaving, roles, permission matrix, field rules."""

import pytest
from django.urls import reverse

from core import access
from core.models import AuditLog
from core.testing import PASSWORD, full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Department, FieldRule, Grant, Scope, User

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"

ADMIN_PAGES = ["org:department_list", "org:department_create", "org:user_list", "org:user_create", "org:role_list", "org:role_create"]


@pytest.fixture
def staff(db):
    return make_user("it", is_staff=True)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_non_admins_get_forbidden(client, name):
    client.force_login(make_user("seller"))
    assert client.get(reverse(name)).status_code == 403


def test_non_admin_posts_change_nothing(client):
    seller = make_user("seller")
    role = make_role("sales")
    client.force_login(seller)
    assert client.post(reverse("org:department_create"), {"name": "黑进来的部门", "sort": 0}).status_code == 403
    assert client.post(reverse("org:role_permissions", args=[role.pk]), {f"{MODULE}:read": "4"}).status_code == 403
    assert client.post(reverse("org:user_toggle_active", args=[seller.pk])).status_code == 403
    assert not Department.objects.exists() and not Grant.objects.exists()


def test_department_tree_create_and_move(client, staff):
    client.force_login(staff)
    client.post(reverse("org:department_create"), {"name": "销售中心", "sort": 0, "active": "on"})
    sales = Department.objects.get(name="销售中心")
    client.post(reverse("org:department_create"), {"name": "华东销售部", "parent": sales.pk, "sort": 0, "active": "on"})
    east = Department.objects.get(name="华东销售部")
    client.post(reverse("org:department_create"), {"name": "上海组", "parent": east.pk, "sort": 0, "active": "on"})
    shanghai = Department.objects.get(name="上海组")
    assert shanghai.path == f"/{sales.pk}/{east.pk}/{shanghai.pk}/"
    client.post(reverse("org:department_create"), {"name": "总经办", "sort": 0, "active": "on"})
    office = Department.objects.get(name="总经办")
    # Moving 华东销售部 under 总经办 re-roots its whole subtree.
    client.post(reverse("org:department_update", args=[east.pk]), {"name": "华东销售部", "parent": office.pk, "sort": 0, "active": "on"})
    shanghai.refresh_from_db()
    assert shanghai.path == f"/{office.pk}/{east.pk}/{shanghai.pk}/"
    # A department cannot move under its own child.
    resp = client.post(reverse("org:department_update", args=[east.pk]), {"name": "华东销售部", "parent": shanghai.pk, "sort": 0})
    assert resp.status_code == 400
    east.refresh_from_db()
    assert east.parent == office
    page = client.get(reverse("org:department_list")).content.decode()
    assert "上海组" in page


def test_user_create_requires_a_valid_password_and_forces_a_change(client, staff):
    dept = make_department("华东销售部")
    role = make_role("sales", name="业务员")
    client.force_login(staff)
    data = {"username": "zhangwei", "last_name": "张", "first_name": "伟", "department": dept.pk, "roles": [role.pk]}
    assert client.post(reverse("org:user_create"), {**data, "password": "123"}).status_code == 400
    assert not User.objects.filter(username="zhangwei").exists()
    assert client.post(reverse("org:user_create"), {**data, "password": "Qiang-Mima-2026"}).status_code == 302
    user = User.objects.get(username="zhangwei")
    assert str(user) == "张伟" and user.must_change_password and list(user.roles.all()) == [role]
    assert AuditLog.objects.filter(action="create", object_id=user.pk).exists()


def test_leaving_hands_records_over_and_ends_sessions(client, staff):
    dept = make_department("华东")
    role = make_role(grants=full_grants(MODULE, Scope.OWN))
    leaver = make_user("leaver", department=dept, roles=[role])
    heir = make_user("heir", department=dept, roles=[role])
    rows = [Customer.objects.create(name=f"客户{i}", owner=leaver, department=dept) for i in range(3)]
    other_client = client.__class__()
    assert other_client.login(username="leaver", password=PASSWORD)
    client.force_login(staff)
    resp = client.post(reverse("org:user_leave", args=[leaver.pk]), {"transfer_to": heir.pk})
    assert resp.status_code == 302
    leaver.refresh_from_db()
    assert leaver.status == "left" and not leaver.is_active and leaver.left_at
    assert set(access.visible_to(heir, "read", Customer)) == set(rows)
    assert all(r.owner == heir for r in Customer.objects.all())
    # The leaver's browser session is over.
    assert other_client.get(reverse("core:home")).status_code == 302


def test_leaving_needs_a_destination(client, staff):
    leaver = make_user("leaver")
    client.force_login(staff)
    assert client.post(reverse("org:user_leave", args=[leaver.pk]), {}).status_code == 400
    leaver.refresh_from_db()
    assert leaver.status == "active" and leaver.is_active


def test_permission_matrix_round_trip(client, staff):
    role = make_role("sales")
    client.force_login(staff)
    resp = client.post(reverse("org:role_permissions", args=[role.pk]), {f"{MODULE}:read": "3", f"{MODULE}:update": "1"})
    assert resp.status_code == 302
    assert dict(role.grants.values_list("action", "scope")) == {"read": 3, "update": 1}
    page = client.get(reverse("org:role_permissions", args=[role.pk])).content.decode()
    assert 'name="customers.customer:read"' in page
    assert client.post(reverse("org:role_permissions", args=[role.pk]), {f"{MODULE}:read": "9"}).status_code == 302
    assert dict(role.grants.values_list("action", "scope")) == {"read": 3, "update": 1}


def test_field_rules_page(client, staff):
    role = make_role("sales")
    client.force_login(staff)
    client.post(reverse("org:role_fields", args=[role.pk]) + f"?module={MODULE}",
                {"module": MODULE, "field:credit_code": "hidden", "field:amount": "readonly", "field:phone": ""})
    assert dict(FieldRule.objects.filter(role=role).values_list("field", "mode")) == {"credit_code": "hidden", "amount": "readonly"}


def test_role_with_users_cannot_be_deleted(client, staff):
    role = make_role("sales")
    make_user(roles=[role])
    client.force_login(staff)
    client.post(reverse("org:role_delete", args=[role.pk]))
    assert role.__class__.objects.filter(pk=role.pk).exists()
