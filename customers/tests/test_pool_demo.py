"""The demo company's pools, follow-up history and assignment history hang together."""

import pytest
from django.core.management import call_command
from django.db.models import Max

from core import access
from customers.models import Customer, CustomerAssignment, FollowUp, Pool
from customers.pools import rules, selectors
from org.models import User

pytestmark = pytest.mark.django_db


def test_demo_pools_and_history(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", "--customers", "60", verbosity=0)
    east, company = Pool.objects.get(name="华东公海"), Pool.objects.get(name="公司公海")
    assert [d.name for d in east.departments.all()] == ["华东销售部"] and not company.departments.exists()
    assert east.rules.filter(level__code="A").exists() and east.rules.filter(level=None).exists()
    pooled = Customer.objects.filter(pool__isnull=False)
    assert pooled.count() == 6 and not pooled.filter(owner__isnull=False).exists()
    assert not pooled.filter(previous_owner__isnull=True).exists()
    # Each customer's last follow-up is its latest follow-up; the history reaches back months.
    latest = dict(FollowUp.objects.values("customer").annotate(m=Max("occurred_at")).values_list("customer", "m"))
    for customer in Customer.objects.all():
        assert customer.last_followup_at == latest.get(customer.pk)
        assert CustomerAssignment.objects.filter(customer=customer, kind="create").count() == 1
    assert FollowUp.objects.count() > 150
    assert CustomerAssignment.objects.filter(kind__in=["release", "auto_release"]).count() == 6
    # Some held customers are past or near their rule: the owners were warned at seeding.
    assert Customer.objects.filter(pool_warned_at__isnull=False).exists()
    # Pool members see the east pool; the released customers are out of their previous owners' reach.
    lina = User.objects.get(username="lina")
    assert east in selectors.pools_for(lina) and company in selectors.pools_for(lina)
    assert not access.visible_to(lina, "read", Customer).filter(pool__isnull=False).exists()
    hejun = User.objects.get(username="hejun")  # 华南销售部: only the company pool
    assert list(selectors.pools_for(hejun)) == [company]
    # The job run at seeding left nothing more to do today.
    assert rules.apply_rules()["warned"] == 0
