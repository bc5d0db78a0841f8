"""Lead rules: create/update checks, status moves, lost needs a reason, converted is immutable, merge."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.basedata import get_item
from core.models import AuditLog
from marketing import services
from marketing.models import Lead
from marketing.routing import lead_assign

from .world import build_world, customer_of, lead, reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def test_create_fills_keys_owner_and_audit(w):
    row = lead(w.seller_a, email="Zhang.Wei@Example.CN ")
    assert row.owner == w.seller_a and row.department == w.east and row.assigned_at is not None
    assert row.phone_norm == "+8613800138000"
    assert row.email_norm == "zhang.wei@example.cn"
    assert "mingyuan" in row.search_text.replace("|", "") and "shmyjmjx" in row.search_text
    assert AuditLog.objects.filter(object_id=row.pk, action="create").count() == 1


def test_create_refuses_bad_phone_and_unreachable_lead(w):
    with pytest.raises(ValidationError) as exc:
        lead(w.seller_a, mobile="not a phone")
    assert "mobile" in exc.value.message_dict
    with pytest.raises(ValidationError):
        lead(w.seller_a, mobile="")
    assert Lead.objects.count() == 0


def test_status_moves_by_edit_but_lost_and_converted_need_their_action(w):
    row = lead(w.seller_a)
    row = services.lead_update(actor=w.seller_a, instance=row, data={"status": "qualified"})
    assert row.status == "qualified"
    for target in ("lost", "converted"):
        with pytest.raises(ValidationError):
            services.lead_update(actor=w.seller_a, instance=row, data={"status": target})
    row.refresh_from_db()
    assert row.status == "qualified"


def test_lost_needs_a_reason_of_the_right_list(w):
    row = lead(w.seller_a)
    with pytest.raises(ValidationError):
        services.lead_lose(actor=w.seller_a, lead=row, reason=None)
    with pytest.raises(ValidationError):
        services.lead_lose(actor=w.seller_a, lead=row, reason=get_item("customer_source", "website"))
    row.refresh_from_db()
    assert row.status == "new" and row.lost_reason is None
    lost = services.lead_lose(actor=w.seller_a, lead=row, reason=reason("no_budget"), note="明年再说")
    assert lost.status == "lost" and lost.lost_reason.code == "no_budget" and lost.lost_at is not None
    with pytest.raises(ValidationError):
        services.lead_lose(actor=w.seller_a, lead=lost, reason=reason())
    reopened = services.lead_reopen(actor=w.seller_a, lead=lost)
    assert reopened.status == "new" and reopened.lost_reason is None


def test_lost_lead_cannot_move_status_by_edit(w):
    row = services.lead_lose(actor=w.seller_a, lead=lead(w.seller_a), reason=reason())
    with pytest.raises(ValidationError):
        services.lead_update(actor=w.seller_a, instance=row, data={"status": "contacted"})


def test_converted_lead_is_immutable_except_notes(w):
    row = lead(w.seller_a)
    Lead.objects.filter(pk=row.pk).update(status="converted")
    row.refresh_from_db()
    with pytest.raises(ValidationError):
        services.lead_update(actor=w.seller_a, instance=row, data={"company": "别的公司"})
    with pytest.raises(ValidationError):
        services.lead_lose(actor=w.seller_a, lead=row, reason=reason())
    with pytest.raises(ValidationError):
        services.lead_delete(actor=w.seller_a, instance=row)
    row = services.lead_update(actor=w.seller_a, instance=row, data={"notes": "已签约"})
    assert row.notes == "已签约" and row.company == "上海明远精密机械有限公司"
    with pytest.raises(ValidationError):
        lead_assign(actor=w.boss, pks=[row.pk], owner=w.seller_b)
    row.refresh_from_db()
    assert row.owner == w.seller_a


def test_outsider_cannot_change_or_lose_a_lead(w):
    row = lead(w.seller_a)
    with pytest.raises(Http404):
        services.lead_update(actor=w.outsider, instance=row, data={"company": "x"})
    with pytest.raises(Http404):
        services.lead_lose(actor=w.outsider, lead=row, reason=reason())
    with pytest.raises(PermissionDenied):
        lead_assign(actor=w.outsider, pks=[row.pk], owner=w.outsider)
    row.refresh_from_db()
    assert (row.company, row.status, row.owner) == ("上海明远精密机械有限公司", "new", w.seller_a)


def test_customer_hint_and_lead_matches(w):
    customer_of(w.outsider, "北京华信电子科技有限公司", phone="010-62345678")
    first = lead(w.marketer, company="华信电子科技", mobile="", phone="01062345678")
    assert first.customer_hint
    other = lead(w.marketer, company="广州某某贸易", mobile="13800138000", email="a@b.cn")
    same = lead(w.marketer, company="另一家", mobile="13900139000", email="A@B.cn")
    assert not other.customer_hint
    assert [m.pk for m in services.lead_matches(user=w.marketer, lead=other)] == [same.pk]
    assert services.why_same(other, same) == ["same email"]
    # The seller sees no lead of the marketer's: the lead duplicates follow the gate.
    assert services.lead_matches(user=w.seller_a, lead=other) == []


def test_dedup_never_reveals_a_customer_out_of_scope(w):
    customer_of(w.outsider, "成都天府软件有限公司", phone="028-85123456", code="KH-SECRET")
    row = lead(w.seller_a, company="成都天府软件", mobile="", phone="02885123456")
    matches = [m.as_dict() for m in services.customer_matches(user=w.seller_a, lead=row)]
    assert matches and all(not m["visible"] for m in matches)
    text = repr(matches)
    assert "KH-SECRET" not in text and "天府" not in text and "id" not in matches[0]
    assert "outsider" in matches[0]["owner"]


def test_merge_fills_gaps_and_bins_the_other(w):
    kept = lead(w.marketer, company="", email="", requirement="要报价")
    other = lead(w.marketer, company="深圳华信", mobile="13900139000", email="x@y.cn", requirement="要演示")
    merged = services.lead_merge(actor=w.marketer, survivor=kept, other=other)
    assert merged.company == "深圳华信" and merged.email == "x@y.cn"
    assert "要报价" in merged.requirement and "要演示" in merged.requirement
    gone = Lead.all_objects.get(pk=other.pk)
    assert gone.deleted_at is not None and gone.merged_into_id == kept.pk


def test_merge_needs_scope_on_both(w):
    mine = lead(w.seller_a)
    theirs = lead(w.outsider, mobile="13900139000")
    with pytest.raises(Http404):
        services.lead_merge(actor=w.seller_a, survivor=mine, other=theirs)
    assert Lead.objects.filter(pk=theirs.pk).exists()


def test_demo_seed_makes_leads_in_every_state(w):
    from core.demo import DemoContext
    from marketing import demo

    customers = [customer_of(w.seller_a, f"演示客户{i}") for i in range(3)]
    ctx = DemoContext(password="x", users={u.username: u for u in (w.seller_a, w.seller_b, w.marketer)},
                      departments={"华东销售部": w.east}, customers=customers, admin=w.boss, options={"leads": 40})
    demo.seed(ctx)
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert statuses == {"new", "contacted", "qualified", "lost", "converted"}
    converted = Lead.objects.filter(status="converted")
    assert converted.count() <= 3 and all(row.customer_id for row in converted)
    assert not Lead.objects.filter(status="lost", lost_reason__isnull=True).exists()
    assert Lead.objects.filter(owner__isnull=True, status="new").exists()
