"""`make bench` — builds a customer data set (BENCH_CUSTOMERS, default 20000; each customer with 2
contacts and 3 follow-ups) in a database of its own (BENCH_DATABASE_URL, default var/bench.sqlite3; a
postgres:// URL for PostgreSQL) and measures, for each scenario, median and p95 server time and SQL
queries per request through the real views and the access gate, next to the same work done in raw SQL
in the same run, with the ratio and the scenario's targets. BENCH_API_LOAD=1 adds the REST throughput
test (gunicorn, 4 concurrent keep-alive clients; see bench/api_load.py).

BENCH_OPPORTUNITIES (default 20000; 0 skips it) adds the pipeline benchmark on the same customers:
that many opportunities, a fifth as many contracts, three receivables per contract and as many receipts
as opportunities (bench/data_pipeline.py), measured by bench/scenarios_pipeline.py: the report pages,
the opportunity board and posting a receipt.

    make bench BENCH_CUSTOMERS=1000000 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zgbench
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("LANGUAGE_CODE", "zh-hans")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
os.environ.setdefault("SIMPLE_STATIC", "1")


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from bench import data, data_pipeline, scenarios

    call_command("migrate", verbosity=0)
    size = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
    data_pipeline.release_customers(size)
    world = data.build(size)
    print(f"掌柜 CRM benchmark — {data.vendor()} — {world['customers']:,} customers, {world['contacts']:,} contacts, "
          f"{world['followups']:,} follow-ups")
    print(f"{'scenario':46} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'floor ms':>8} {'ratio':>6}  targets")
    for row in scenarios.run_all(world, repeat=int(os.environ.get("BENCH_REPEAT", "30"))):
        print(f"{row['name']:46} {row['median']:9.1f} {row['p95']:8.1f} {row['queries']:7d} {row['floor']:8.2f} "
              f"{row['ratio']:6.1f}  {row['verdict']}", flush=True)
    opportunities = int(os.environ.get("BENCH_OPPORTUNITIES", "20000"))
    if opportunities > 0:
        from bench import scenarios_pipeline

        pipeline = data_pipeline.build(world, opportunities)
        scenarios_pipeline.print_table(pipeline, repeat=int(os.environ.get("BENCH_REPEAT", "30")))
    if os.environ.get("BENCH_API_LOAD") == "1":
        from bench import api_load

        api_load.report(world)
    try:
        from bench import imports
    except ImportError:
        imports = None
    if imports is not None and any(text in "import csv xlsx" for text in os.environ.get("BENCH_ONLY", "import").split(",")):
        imports.report(world)
    return 0


if __name__ == "__main__":
    sys.exit(main())
