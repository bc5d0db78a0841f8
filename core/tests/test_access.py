"""The access gate: every scope × operation, shares, child records, write-back rollback."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core import access, services
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from org.models import Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"


@pytest.fixture
def org():
    company = make_department("总公司")
    sales = make_department("销售部", company)
    east = make_department("华东组", sales)
    west = make_department("华西组", sales)
    service = make_department("客服部", company)
    return {"company": company, "sales": sales, "east": east, "west": west, "service": service}


def user_with(scope, dept, **kw):
    return make_user(department=dept, roles=[make_role(grants=full_grants(MODULE, scope))], **kw)


def customer(owner, **kw):
    return Customer.objects.create(name=kw.pop("name", f"客户{owner.username}"), owner=owner,
                                   department=owner.department, created_by=owner, **kw)


@pytest.mark.parametrize("action", access.ACTIONS)
def test_scope_levels_for_every_action(org, action):
    alice = user_with(Scope.OWN, org["east"])
    bob = user_with(Scope.OWN, org["east"])
    carol = user_with(Scope.OWN, org["west"])
    a, b, c = customer(alice), customer(bob), customer(carol)
    dept = user_with(Scope.DEPARTMENT, org["east"])
    subtree = user_with(Scope.SUBTREE, org["sales"])
    everyone = user_with(Scope.ALL, org["service"])
    nobody = make_user(department=org["east"])

    def ids(user):
        return set(access.visible_to(user, action, Customer).values_list("pk", flat=True))

    assert ids(alice) == {a.pk}
    assert ids(carol) == {c.pk}
    assert ids(dept) == {a.pk, b.pk}
    assert ids(subtree) == {a.pk, b.pk, c.pk}
    assert ids(everyone) == {a.pk, b.pk, c.pk}
    assert ids(nobody) == set()


def test_department_scope_is_not_the_subtree(org):
    manager = user_with(Scope.DEPARTMENT, org["sales"])
    seller = user_with(Scope.OWN, org["east"])
    customer(seller)
    assert not access.visible_to(manager, "read", Customer).exists()


def test_creator_sees_a_record_owned_by_someone_else(org):
    alice = user_with(Scope.OWN, org["east"])
    bob = user_with(Scope.OWN, org["west"])
    row = Customer.objects.create(name="代录客户", owner=bob, department=bob.department, created_by=alice)
    assert access.visible_to(alice, "read", Customer).filter(pk=row.pk).exists()


def test_out_of_scope_get_is_not_found(org):
    alice = user_with(Scope.OWN, org["east"])
    carol = user_with(Scope.OWN, org["west"])
    row = customer(carol)
    with pytest.raises(Http404):
        access.get_visible(alice, "read", Customer, pk=row.pk)


@pytest.fixture(params=["inline", "subquery"])
def share_form(request, monkeypatch):
    """The gate names a user's shared records as a list of ids, or past SHARED_IDS_INLINE as a
    subquery; both must answer the same."""
    if request.param == "subquery":
        monkeypatch.setattr(access, "SHARED_IDS_INLINE", 0)
    return request.param


def test_share_with_user_and_department(org, share_form):
    alice = user_with(Scope.OWN, org["east"])
    carol = user_with(Scope.OWN, org["west"])
    dave = user_with(Scope.OWN, org["west"])
    row = customer(alice)
    assert not access.visible_to(carol, "read", Customer).filter(pk=row.pk).exists()
    services.share_records(actor=alice, model=Customer, pks=[row.pk], users=[carol])
    assert access.visible_to(carol, "read", Customer).filter(pk=row.pk).exists()
    assert not access.visible_to(carol, "update", Customer).filter(pk=row.pk).exists()
    assert not access.visible_to(carol, "delete", Customer).filter(pk=row.pk).exists()
    assert not access.visible_to(dave, "read", Customer).filter(pk=row.pk).exists()
    services.share_records(actor=alice, model=Customer, pks=[row.pk], departments=[org["west"]], can_edit=True)
    assert access.visible_to(dave, "update", Customer).filter(pk=row.pk).exists()
    # The same user objects, which have read their shares already, see a removal at once.
    for share in list(services.shares_of(row)):
        services.unshare_record(actor=alice, instance=row, share_id=share.pk)
    assert not access.visible_to(carol, "read", Customer).filter(pk=row.pk).exists()
    assert not access.visible_to(dave, "update", Customer).filter(pk=row.pk).exists()


def test_user_outside_every_department_receives_only_personal_shares(org, share_form):
    alice = user_with(Scope.OWN, org["east"])
    loner = user_with(Scope.OWN, None)
    row = customer(alice)
    services.share_records(actor=alice, model=Customer, pks=[row.pk], departments=[org["west"]])
    assert not access.visible_to(loner, "read", Customer).exists()
    services.share_records(actor=alice, model=Customer, pks=[row.pk], users=[loner])
    assert list(access.visible_to(loner, "read", Customer)) == [row]


def test_gate_statement_is_plain_columns(org):
    """A salesperson without shares gets plain owner/creator conditions, and a manager's subtree is a
    list of department ids (no join, no subquery), so PostgreSQL can estimate (and index) both."""
    seller = user_with(Scope.OWN, org["east"])
    manager = user_with(Scope.SUBTREE, org["sales"])
    own_sql = str(access.visible_to(seller, "read", Customer).query)
    subtree_sql = str(access.visible_to(manager, "read", Customer).query)
    assert "core_recordshare" not in own_sql and "JOIN" not in own_sql
    assert "JOIN" not in subtree_sql and "org_department" not in subtree_sql
    ids = sorted(d.pk for d in (org["sales"], org["east"], org["west"]))
    assert f'"department_id" IN ({", ".join(map(str, ids))})' in subtree_sql


def test_subtree_follows_department_changes_at_once(org):
    """The subtree's ids are read once per user object; a department created or moved afterwards is
    seen by the same object (the moved subtree's paths change by one update())."""
    from org import services as org_services

    manager = user_with(Scope.SUBTREE, org["sales"])
    boss = user_with(Scope.ALL, org["company"])
    assert not access.visible_to(manager, "read", Customer).exists()
    north = org_services.department_create(actor=boss, name="华北组", parent=org["sales"])
    row = customer(user_with(Scope.OWN, north))
    assert list(access.visible_to(manager, "read", Customer)) == [row]
    # Move the service department (and a team under it) below sales: its customers come into view.
    team = org_services.department_create(actor=boss, name="售后组", parent=org["service"])
    theirs = customer(user_with(Scope.OWN, team))
    assert not access.visible_to(manager, "read", Customer).filter(pk=theirs.pk).exists()
    org_services.department_update(actor=boss, department=org["service"], parent=org["sales"])
    assert access.visible_to(manager, "read", Customer).filter(pk=theirs.pk).exists()


def test_the_subtree_comes_with_the_roles(org, django_assert_num_queries):
    """A manager's roles, grants, field rules and department subtree are one statement (the shares of
    the kind of record one more); a department set on the user object but not saved is read apart."""
    from org.models import User

    manager = User.objects.select_related("department").get(pk=user_with(Scope.SUBTREE, org["sales"]).pk)
    with django_assert_num_queries(2):
        sql = str(access.visible_to(manager, "read", Customer).query)
    ids = sorted(d.pk for d in (org["sales"], org["east"], org["west"]))
    assert f'"department_id" IN ({", ".join(map(str, ids))})' in sql
    moved = User.objects.select_related("department").get(pk=manager.pk)
    moved.department = org["west"]
    with django_assert_num_queries(3):
        sql = str(access.visible_to(moved, "read", Customer).query)
    assert f'"department_id" IN ({org["west"].pk})' in sql


def test_a_subtree_of_every_department_is_any_department(org):
    """A manager at the top of the only tree sees "department is set" (the same rows as the list of
    every id, which PostgreSQL estimates badly); a department outside the tree brings the list back."""
    from org import services as org_services

    top = user_with(Scope.SUBTREE, org["company"])
    rows = {customer(user_with(Scope.OWN, org[name])).pk for name in ("east", "west", "service")}
    loose = Customer.objects.create(name="无部门客户", owner=user_with(Scope.OWN, None))
    assert loose.department_id is None
    gated = access.visible_to(top, "read", Customer)
    assert '"department_id" IS NOT NULL' in str(gated.query) and " IN (" not in str(gated.query)
    assert set(gated.values_list("pk", flat=True)) == rows
    # A second company root: the same user object now names its own tree's ids and misses the other.
    other = org_services.department_create(actor=user_with(Scope.ALL, org["company"]), name="分公司", parent=None)
    elsewhere = customer(user_with(Scope.OWN, other))
    gated = access.visible_to(top, "read", Customer)
    assert '"department_id" IS NOT NULL' not in str(gated.query)
    assert set(gated.values_list("pk", flat=True)) == rows and elsewhere.pk not in rows


def test_child_records_follow_their_parent(org):
    alice = user_with(Scope.OWN, org["east"])
    carol = user_with(Scope.OWN, org["west"])
    mine, theirs = customer(alice), customer(carol)
    c1 = Contact.objects.create(customer=mine, name="张三")
    Contact.objects.create(customer=theirs, name="李四")
    assert list(access.visible_to(alice, "read", Contact)) == [c1]
    services.share_records(actor=carol, model=Customer, pks=[theirs.pk], users=[alice])
    assert access.visible_to(alice, "read", Contact).count() == 2


def test_widest_role_wins(org):
    narrow = make_role(grants=full_grants(MODULE, Scope.OWN))
    wide = make_role(grants={MODULE: {"read": Scope.ALL}})
    user = make_user(department=org["east"], roles=[narrow, wide])
    other = user_with(Scope.OWN, org["west"])
    row = customer(other)
    assert access.visible_to(user, "read", Customer).filter(pk=row.pk).exists()
    assert not access.visible_to(user, "update", Customer).filter(pk=row.pk).exists()


def test_write_that_leaves_the_scope_is_rolled_back(org):
    alice = user_with(Scope.OWN, org["east"])
    carol = user_with(Scope.OWN, org["west"])
    lead = user_with(Scope.DEPARTMENT, org["east"])
    row = services.create_record(actor=alice, model=Customer, data={"name": "华东客户"})
    # The department lead is neither owner nor creator: moving it west takes it out of their scope.
    with pytest.raises(PermissionDenied):
        services.update_record(actor=lead, instance=row, data={"owner": carol, "department": org["west"]})
    row.refresh_from_db()
    assert row.owner == alice and row.department == org["east"] and row.version == 1
    assert services.update_record(actor=lead, instance=row, data={"name": "华东客户（改）"}).version == 2


def test_user_without_create_grant_creates_nothing(org):
    reader = make_user(department=org["east"], roles=[make_role(grants={MODULE: {"read": Scope.ALL}})])
    with pytest.raises(PermissionDenied):
        services.create_record(actor=reader, model=Customer, data={"name": "不该存在"})
    assert not Customer.all_objects.exists()


def test_inactive_user_sees_nothing(org):
    alice = user_with(Scope.ALL, org["east"])
    customer(alice)
    alice.is_active = False
    assert not access.visible_to(alice, "read", Customer).exists()


def test_every_business_model_is_registered():
    from django.apps import apps

    from core.models import BusinessModel

    missing = [m for m in apps.get_models() if issubclass(m, BusinessModel) and m not in access.registered_models()]
    assert missing == []
