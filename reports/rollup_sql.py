"""The SQL of the report roll-ups (PostgreSQL): triggers that keep reports_opportunityday,
reports_receiptday and reports_receivableday exact on every write, and the statements that fill them
from the tables. ``install`` is called by the migrations and by ``reports.rollups.rebuild``."""

import datetime

STATE = "opportunity_day"
# The opportunity roll-up's row for all days together: what "ever" asks (the kanban's column totals)
# reads a handful of rows instead of one per day. No period reaches back to year 1.
EVER = datetime.date(1, 1, 1)

_FUNCTION = """
CREATE OR REPLACE FUNCTION reports_opportunity_day_apply() RETURNS trigger AS $$
DECLARE
  sign integer;
  on_day date;
  r sales_opportunity%ROWTYPE;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at
     AND OLD.created_at = NEW.created_at AND OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id
     AND OLD.department_id IS NOT DISTINCT FROM NEW.department_id AND OLD.stage_id IS NOT DISTINCT FROM NEW.stage_id
     AND OLD.status = NEW.status AND OLD.cost_estimate IS NOT DISTINCT FROM NEW.cost_estimate
     AND OLD.expected_amount IS NOT DISTINCT FROM NEW.expected_amount AND OLD.amount IS NOT DISTINCT FROM NEW.amount THEN
    RETURN NULL;  -- nothing the roll-up holds has changed (notes, version, updated_at…)
  END IF;
  FOR sign IN SELECT unnest(ARRAY[-1, 1]) LOOP
    IF sign = -1 THEN
      IF TG_OP = 'INSERT' THEN CONTINUE; END IF;
      r := OLD;
    ELSE
      IF TG_OP = 'DELETE' THEN CONTINUE; END IF;
      r := NEW;
    END IF;
    IF r.deleted_at IS NOT NULL THEN CONTINUE; END IF;
    -- The row of its creation day, and the row of all days (EVER).
    FOREACH on_day IN ARRAY ARRAY[(r.created_at AT TIME ZONE '{tz}')::date, DATE '{ever}'] LOOP
      INSERT INTO reports_opportunityday AS d (day, owner_id, department_id, stage_id, status, n, cost, expected, amount)
      VALUES (on_day, COALESCE(r.owner_id, 0), COALESCE(r.department_id, 0),
              COALESCE(r.stage_id, 0), r.status, sign, sign * COALESCE(r.cost_estimate, 0),
              sign * COALESCE(r.expected_amount, 0), sign * COALESCE(r.amount, 0))
      ON CONFLICT (day, owner_id, department_id, stage_id, status) DO UPDATE
        SET n = d.n + EXCLUDED.n, cost = d.cost + EXCLUDED.cost, expected = d.expected + EXCLUDED.expected,
            amount = d.amount + EXCLUDED.amount;
    END LOOP;
  END LOOP;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_opportunity_day ON sales_opportunity;
CREATE TRIGGER reports_opportunity_day AFTER INSERT OR UPDATE OR DELETE ON sales_opportunity
  FOR EACH ROW EXECUTE FUNCTION reports_opportunity_day_apply();
DROP TRIGGER IF EXISTS reports_opportunity_day_truncate ON sales_opportunity;
"""

_RECEIPT_FUNCTIONS = """
CREATE OR REPLACE FUNCTION reports_receipt_day_add(day date, owner bigint, dept bigint, cnt bigint, total numeric)
RETURNS void AS $$
  INSERT INTO reports_receiptday AS d (day, owner_id, department_id, n, amount)
  VALUES (day, COALESCE(owner, 0), COALESCE(dept, 0), cnt, total)
  ON CONFLICT (day, owner_id, department_id) DO UPDATE SET n = d.n + EXCLUDED.n, amount = d.amount + EXCLUDED.amount;
$$ LANGUAGE sql;
CREATE OR REPLACE FUNCTION reports_receipt_day_apply() RETURNS trigger AS $$
DECLARE
  rv contracts_receivable%ROWTYPE;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT * INTO rv FROM contracts_receivable WHERE id = OLD.receivable_id;
    IF FOUND AND rv.deleted_at IS NULL THEN
      PERFORM reports_receipt_day_add(OLD.date, rv.owner_id, rv.department_id, -1, -OLD.amount);
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT * INTO rv FROM contracts_receivable WHERE id = NEW.receivable_id;
    IF FOUND AND rv.deleted_at IS NULL THEN
      PERFORM reports_receipt_day_add(NEW.date, rv.owner_id, rv.department_id, 1, NEW.amount);
    END IF;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_receipt_day ON contracts_receipt;
CREATE TRIGGER reports_receipt_day AFTER INSERT OR UPDATE OR DELETE ON contracts_receipt
  FOR EACH ROW EXECUTE FUNCTION reports_receipt_day_apply();
CREATE OR REPLACE FUNCTION reports_receipt_day_move() RETURNS trigger AS $$
BEGIN
  IF OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id AND OLD.department_id IS NOT DISTINCT FROM NEW.department_id
     AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at THEN
    RETURN NULL;  -- balances and versions change on every receipt; only these move the receipts
  END IF;
  IF OLD.deleted_at IS NULL THEN
    PERFORM reports_receipt_day_add(r.date, OLD.owner_id, OLD.department_id, -COUNT(*), -SUM(r.amount))
    FROM contracts_receipt r WHERE r.receivable_id = OLD.id GROUP BY r.date;
  END IF;
  IF NEW.deleted_at IS NULL THEN
    PERFORM reports_receipt_day_add(r.date, NEW.owner_id, NEW.department_id, COUNT(*), SUM(r.amount))
    FROM contracts_receipt r WHERE r.receivable_id = NEW.id GROUP BY r.date;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_receipt_day_move ON contracts_receivable;
CREATE TRIGGER reports_receipt_day_move AFTER UPDATE ON contracts_receivable
  FOR EACH ROW EXECUTE FUNCTION reports_receipt_day_move();
"""

_RECEIVABLE_FUNCTIONS = """
CREATE OR REPLACE FUNCTION reports_receivable_day_apply() RETURNS trigger AS $$
DECLARE
  sign integer;
  r contracts_receivable%ROWTYPE;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at AND OLD.due_date = NEW.due_date
     AND OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id AND OLD.department_id IS NOT DISTINCT FROM NEW.department_id
     AND OLD.amount = NEW.amount AND OLD.received = NEW.received AND OLD.balance = NEW.balance THEN
    RETURN NULL;
  END IF;
  FOR sign IN SELECT unnest(ARRAY[-1, 1]) LOOP
    IF sign = -1 THEN
      IF TG_OP = 'INSERT' THEN CONTINUE; END IF;
      r := OLD;
    ELSE
      IF TG_OP = 'DELETE' THEN CONTINUE; END IF;
      r := NEW;
    END IF;
    IF r.deleted_at IS NOT NULL THEN CONTINUE; END IF;
    INSERT INTO reports_receivableday AS d (day, owner_id, department_id, state, n, amount, received, balance)
    VALUES (r.due_date, COALESCE(r.owner_id, 0), COALESCE(r.department_id, 0),
            CASE WHEN r.balance <= 0 THEN 0 WHEN r.received > 0 THEN 1 ELSE 2 END,
            sign, sign * r.amount, sign * r.received, sign * r.balance)
    ON CONFLICT (day, owner_id, department_id, state) DO UPDATE
      SET n = d.n + EXCLUDED.n, amount = d.amount + EXCLUDED.amount, received = d.received + EXCLUDED.received,
          balance = d.balance + EXCLUDED.balance;
  END LOOP;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_receivable_day ON contracts_receivable;
CREATE TRIGGER reports_receivable_day AFTER INSERT OR UPDATE OR DELETE ON contracts_receivable
  FOR EACH ROW EXECUTE FUNCTION reports_receivable_day_apply();
"""

_RECEIVABLE_FILL = """
INSERT INTO reports_receivableday (day, owner_id, department_id, state, n, amount, received, balance)
SELECT due_date, COALESCE(owner_id, 0), COALESCE(department_id, 0),
       CASE WHEN balance <= 0 THEN 0 WHEN received > 0 THEN 1 ELSE 2 END,
       COUNT(*), SUM(amount), SUM(received), SUM(balance)
FROM contracts_receivable WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4
"""

_RECEIPT_FILL = """
INSERT INTO reports_receiptday (day, owner_id, department_id, n, amount)
SELECT r.date, COALESCE(v.owner_id, 0), COALESCE(v.department_id, 0), COUNT(*), SUM(r.amount)
FROM contracts_receipt r JOIN contracts_receivable v ON v.id = r.receivable_id
WHERE v.deleted_at IS NULL GROUP BY 1, 2, 3
"""

_FILL = """
INSERT INTO reports_opportunityday (day, owner_id, department_id, stage_id, status, n, cost, expected, amount)
SELECT (created_at AT TIME ZONE %s)::date, COALESCE(owner_id, 0), COALESCE(department_id, 0), COALESCE(stage_id, 0),
       status, COUNT(*), COALESCE(SUM(cost_estimate), 0), COALESCE(SUM(expected_amount), 0), COALESCE(SUM(amount), 0)
FROM sales_opportunity WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5
"""

_FILL_EVER = """
INSERT INTO reports_opportunityday (day, owner_id, department_id, stage_id, status, n, cost, expected, amount)
SELECT DATE '{ever}', COALESCE(owner_id, 0), COALESCE(department_id, 0), COALESCE(stage_id, 0),
       status, COUNT(*), COALESCE(SUM(cost_estimate), 0), COALESCE(SUM(expected_amount), 0), COALESCE(SUM(amount), 0)
FROM sales_opportunity WHERE deleted_at IS NULL GROUP BY 2, 3, 4, 5
"""


def install(cursor, time_zone: str) -> None:
    """SQL only (migrations call it too): triggers for ``time_zone``, the roll-up recomputed, the state row."""
    tz = time_zone.replace("'", "")
    cursor.execute("LOCK TABLE sales_opportunity IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(_FUNCTION.replace("{tz}", tz).replace("{ever}", EVER.isoformat()))
    cursor.execute("TRUNCATE reports_opportunityday")
    cursor.execute(_FILL, [tz])
    cursor.execute(_FILL_EVER.replace("{ever}", EVER.isoformat()))
    cursor.execute("LOCK TABLE contracts_receivable, contracts_receipt IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(_RECEIPT_FUNCTIONS)
    cursor.execute("TRUNCATE reports_receiptday")
    cursor.execute(_RECEIPT_FILL)
    cursor.execute(_RECEIVABLE_FUNCTIONS)
    cursor.execute("TRUNCATE reports_receivableday")
    cursor.execute(_RECEIVABLE_FILL)
    cursor.execute("DELETE FROM reports_rollupstate WHERE name = %s", [STATE])
    cursor.execute("INSERT INTO reports_rollupstate (name, time_zone, built_at) VALUES (%s, %s, now())", [STATE, tz])
