"""The demo pipeline obeys the same rules as real data."""

import pytest

from core.demo import DemoContext
from core.demo import basedata as demo_basedata
from core.demo import customers as demo_customers
from core.demo import org as demo_org
from sales import demo
from sales.models import ContactRecord, Opportunity, Project
from sales.models.pipeline import compute_amount


@pytest.mark.django_db
def test_demo_pipeline_is_consistent():
    ctx = DemoContext(password="x", log=lambda text: None, options={"customers": 40})
    for step in (demo_basedata, demo_org, demo_customers, demo):
        step.seed(ctx)
    opportunities = list(Opportunity.objects.all())
    assert len(opportunities) >= 10
    assert {o.status for o in opportunities} >= {"open", "won", "lost"}
    for o in opportunities:
        assert o.amount == compute_amount(o.expected_amount, o.win_rate)
        last = ContactRecord.objects.filter(opportunity=o, completed=True).order_by("-seq").first()
        assert last is not None and last.stage_id == o.stage_id and last.win_rate == o.win_rate
        seqs = list(ContactRecord.objects.filter(opportunity=o).order_by("seq").values_list("seq", "completed"))
        assert [s for s, _c in seqs] == list(range(1, len(seqs) + 1))
        assert all(c for _s, c in seqs[:-1])  # only the last one may be open
        if o.status == "lost":
            assert o.lost_reason_id
    for p in Project.objects.select_related("opportunity"):
        assert p.opportunity.audited and p.opportunity.converted
