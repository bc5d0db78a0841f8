"""Joint statistics of the columns the access gate's condition reads (PostgreSQL only).

A salesperson's customers are mostly both owned and created by them, and a department's customers are
owned by its people: planned column by column, "owner or creator" read twice the real number and a
manager's subtree half of it, and list totals past 2,000 rows are the planner's estimate. A
multivariate MCV list over the three columns gives the planner the combinations themselves.
"""

from django.db import migrations

CREATE = ("CREATE STATISTICS IF NOT EXISTS customer_scope_stats (mcv) "
          "ON owner_id, created_by_id, department_id FROM customers_customer")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE customers_customer")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS customer_scope_stats")


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_contact_birthday_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
