"""Roll-ups the sales reports read instead of scanning every opportunity (PostgreSQL only).

``OpportunityDay`` holds, per local day of creation × salesperson × department × stage × status, the
count and the sums of cost estimate, expected amount and opportunity amount of the live (not binned)
opportunities, and the same per salesperson × department × stage × status for all days together on the
day 0001-01-01 (rollup_sql.EVER). Database triggers keep it exact on every insert, update, soft delete, restore and
delete, whoever writes (services, bulk moves, merges, SQL); ``reports.rollups`` decides when a report
may read it (the user's scope must be expressible by salesperson and department) and adds the rows a
department-scope user sees through ownership or shares. ``RollupState`` records the time zone the
days were cut in: a changed TIME_ZONE makes the reports fall back to live queries until
``manage.py rebuild_rollups`` runs.
"""

from django.db import models


class OpportunityDay(models.Model):
    day = models.DateField()
    owner_id = models.BigIntegerField(default=0)  # 0: none (no foreign keys: triggers write it, users never)
    department_id = models.BigIntegerField(default=0)
    stage_id = models.BigIntegerField(default=0)
    status = models.CharField(max_length=12)
    n = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    expected = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "owner_id", "department_id", "stage_id", "status"],
                                               name="opportunity_day_key")]
        # One salesperson's rows (funnel by person, the kanban's column totals) without a pass over all.
        indexes = [models.Index(fields=["owner_id", "day"], name="opportunity_day_owner")]


class RollupState(models.Model):
    name = models.CharField(max_length=40, unique=True)
    time_zone = models.CharField(max_length=64)
    built_at = models.DateTimeField(auto_now=True)


class ReceiptDay(models.Model):
    """Per receipt date × salesperson × department of the receivable: count and sum of the receipts of
    live receivables (Top N by receipts). Kept by triggers on receipts and on receivables (a receivable
    moved to another salesperson or to the recycle bin takes its receipts with it)."""

    day = models.DateField()
    owner_id = models.BigIntegerField(default=0)
    department_id = models.BigIntegerField(default=0)
    n = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "owner_id", "department_id"], name="receipt_day_key")]


class ReceivableDay(models.Model):
    """Per due date × salesperson × department × state (0 paid, 1 open with money received, 2 open with
    none): count and sums of amount, received and balance of the live receivables. The four statuses
    follow at query time from the state and whether the due date has passed (the receivables tracking
    totals). Kept by triggers on receivables."""

    day = models.DateField()
    owner_id = models.BigIntegerField(default=0)
    department_id = models.BigIntegerField(default=0)
    state = models.SmallIntegerField()
    n = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    received = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    balance = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "owner_id", "department_id", "state"],
                                               name="receivable_day_key")]
