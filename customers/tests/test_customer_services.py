"""Customer services: validation, lifecycle, numbering with region and level, tags, collaborators, categories."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core import access, numbering
from core.models import AuditLog, LookupItem, RecordShare
from customers import services
from customers.models import Customer, CustomerCategory, Region, Tag

from .customer_world import create, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_bad_credit_code_and_phone_are_refused_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as info:
        services.customer_create(actor=world.alice, data={"name": "坏数据公司", "credit_code": "914403001922038217",
                                                          "phone": "12345"})
    assert set(info.value.message_dict) == {"credit_code", "phone"}
    assert not Customer.all_objects.exists() and not AuditLog.objects.exists()


def test_valid_values_are_normalised_and_keys_stored(world):
    row = create(world.alice, "华为技术有限公司", credit_code="914403001922038216", phone="138 0013 8000")
    assert row.credit_code == "914403001922038216"
    assert row.phone == "138 0013 8000" and row.phone_norm == "+8613800138000"  # typed form kept for display
    assert row.name_key == "华为技术" and "hwjsyxgs" in row.search_text


def test_old_odd_values_do_not_block_other_edits(world):
    row = Customer.objects.create(name="旧数据", phone="010-77", credit_code="BAD", owner=world.alice,
                                  department=world.north, created_by=world.alice)
    saved = services.customer_update(actor=world.alice, instance=row, data={"name": "旧数据(改)", "phone": "010-77"})
    assert saved.name == "旧数据(改)" and saved.version == 2


@pytest.mark.parametrize("start, target, allowed", [
    ("potential", "intent", True), ("potential", "deal", True), ("intent", "deal", True),
    ("intent", "lost", True), ("deal", "lost", True), ("lost", "intent", True), ("lost", "potential", True),
    ("deal", "potential", False), ("deal", "intent", False), ("lost", "deal", False),
])
def test_status_lifecycle(world, start, target, allowed):
    row = create(world.alice, "状态测试公司", status=start)
    if allowed:
        assert services.customer_update(actor=world.alice, instance=row, data={"status": target}).status == target
    else:
        with pytest.raises(ValidationError) as info:
            services.customer_update(actor=world.alice, instance=row, data={"status": target})
        assert "status" in info.value.message_dict
        row.refresh_from_db()
        assert row.status == start and row.version == 1


def test_code_embeds_region_and_level_and_never_repeats(world, admin_user):
    numbering.rule_save(actor=admin_user, doc_type="customer", name="客户", pattern="KH-{region}{level}-{seq:3}", reset="never")
    level_a = LookupItem.objects.get_or_create(kind="customer_level", code="A", defaults={"name": "A级"})[0]
    beijing = Region.objects.get(code="110000")
    Customer.objects.create(name="占号", code="KH-BJA-001")  # a code typed earlier by hand
    first = create(world.alice, "北京一号", province=beijing, level=level_a)
    second = create(world.alice, "北京二号", province=beijing, level=level_a)
    other = create(world.alice, "无地区")
    assert (first.code, second.code, other.code) == ("KH-BJA-002", "KH-BJA-003", "KH--001")
    with pytest.raises(ValidationError) as info:
        create(world.alice, "重复编号", code="KH-BJA-002")
    assert "code" in info.value.message_dict


def test_region_chain_is_filled_upwards_and_checked(world):
    haidian = Region.objects.get(code="110108")
    row = create(world.alice, "海淀公司", district=haidian)
    assert (row.province_id, row.city_id, row.district_id) == ("110000", "110100", "110108")
    with pytest.raises(ValidationError) as info:
        create(world.alice, "错地区公司", province=Region.objects.get(code="440000"), city=Region.objects.get(code="110100"))
    assert "city" in info.value.message_dict


def test_parent_company_cannot_form_a_loop(world):
    group = create(world.alice, "集团总部")
    branch = create(world.alice, "分公司甲", parent=group)
    with pytest.raises(ValidationError):
        services.customer_update(actor=world.alice, instance=group, data={"parent": branch})
    with pytest.raises(ValidationError):
        services.customer_update(actor=world.alice, instance=group, data={"parent": group})


def test_tags_and_collaborators_are_saved_audited_and_collaborators_get_a_share(world):
    vip = Tag.objects.create(name="重点")
    row = create(world.alice, "协作公司", tags=[vip], collaborators=[world.bob])
    assert list(row.tags.all()) == [vip] and list(row.collaborators.all()) == [world.bob]
    content_type = ContentType.objects.get_for_model(Customer)
    share = RecordShare.objects.get(content_type=content_type, object_id=row.pk, user=world.bob)
    assert share.can_edit
    bob = type(world.bob).objects.get(pk=world.bob.pk)
    assert access.visible_to(bob, "update", Customer).filter(pk=row.pk).exists()
    services.customer_update(actor=world.alice, instance=row, data={"collaborators": [], "tags": []})
    assert not RecordShare.objects.filter(object_id=row.pk, user=world.bob).exists()
    bob = type(world.bob).objects.get(pk=world.bob.pk)
    assert not access.visible_to(bob, "read", Customer).filter(pk=row.pk).exists()
    changes = [e.changes for e in AuditLog.objects.filter(object_id=row.pk, action="update")]
    assert {"tags": [[vip.pk], []], "collaborators": [[world.bob.pk], []]} in changes


def test_out_of_scope_update_is_not_found_and_changes_nothing(world):
    row = create(world.bob, "南区客户")
    with pytest.raises(Http404):
        services.customer_update(actor=world.alice, instance=row, data={"name": "改名"})
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=world.nobody, data={"name": "无权限"})
    row.refresh_from_db()
    assert row.name == "南区客户" and row.version == 1 and Customer.all_objects.count() == 1


def test_categories_keep_their_paths_and_only_admins_change_them(world, admin_user):
    root = services.category_save(actor=admin_user, name="企业")
    child = services.category_save(actor=admin_user, name="制造业", parent=root)
    other = services.category_save(actor=admin_user, name="政府")
    assert child.path == f"/{root.pk}/{child.pk}/"
    services.category_save(actor=admin_user, instance=root, name="企业客户", parent=other)
    child.refresh_from_db()
    assert child.path == f"/{other.pk}/{root.pk}/{child.pk}/"
    with pytest.raises(ValidationError):
        services.category_save(actor=admin_user, instance=other, name="政府", parent=child)  # under itself
    with pytest.raises(PermissionDenied):
        services.category_save(actor=world.alice, name="越权")
    create(world.alice, "分类客户", category=child)
    with pytest.raises(ValidationError):
        services.category_delete(actor=admin_user, instance=child)
    assert CustomerCategory.objects.count() == 3


def test_tags_are_unique_and_admin_only(world, admin_user):
    tag = services.tag_save(actor=admin_user, name="老客户", color="green")
    with pytest.raises(ValidationError):
        services.tag_save(actor=admin_user, name="老客户")
    with pytest.raises(PermissionDenied):
        services.tag_save(actor=world.alice, name="新标签")
    row = create(world.alice, "有标签", tags=[tag])
    services.tag_delete(actor=admin_user, instance=tag)
    assert not row.tags.exists() and Tag.objects.count() == 0


def test_moving_to_deal_restarts_the_pools_no_deal_clock(world):
    customer = create(world.alice, "成交测试有限公司", status="intent")
    assert customer.last_deal_at is None
    services.customer_update(actor=world.alice, instance=customer, data={"status": "deal"})
    first = Customer.objects.get(pk=customer.pk).last_deal_at
    assert first is not None
    services.customer_update(actor=world.alice, instance=customer, data={"notes": "x"})
    assert Customer.objects.get(pk=customer.pk).last_deal_at == first  # only a move to deal counts
    assert create(world.alice, "直接成交有限公司", status="deal").last_deal_at is not None
