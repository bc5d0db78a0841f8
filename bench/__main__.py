"""`make bench` — builds a customer data set (BENCH_CUSTOMERS, default 20000) in a database of its own
(BENCH_DATABASE_URL, default var/bench.sqlite3; a postgres:// URL for PostgreSQL) and measures, for each
scenario, median and p95 server time and SQL queries per request through the real views and the access
gate, next to the same work done in raw SQL in the same run, with the ratio.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("LANGUAGE_CODE", "zh-hans")
os.environ["ALLOWED_HOSTS"] = "testserver"  # requests go through the in-process test client
os.environ.setdefault("SIMPLE_STATIC", "1")


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from bench import data, scenarios

    call_command("migrate", verbosity=0)
    size = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
    world = data.build(size)
    print(f"掌柜 CRM benchmark — {data.vendor()} — {world['customers']} customers, {world['contacts']} contacts")
    print(f"{'scenario':56} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'floor ms':>9} {'ratio':>6}")
    for row in scenarios.run_all(world, repeat=int(os.environ.get("BENCH_REPEAT", "30"))):
        print(f"{row['name']:56} {row['median']:10.1f} {row['p95']:8.1f} {row['queries']:8d} {row['floor']:9.2f} {row['ratio']:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
