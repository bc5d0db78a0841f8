"""REST throughput: GET /api/v1/customers/?page_size=50 under concurrent clients against gunicorn.

Starts gunicorn (BENCH_API_WORKERS sync workers, default 2; with BENCH_API_THREADS=N the server
``manage.py serve`` starts, BENCH_API_WORKERS gthread workers (default 3) of N threads) on
127.0.0.1:BENCH_API_PORT (default 55511) over the benchmark database, then BENCH_API_CLIENTS threads
(default 4) each send requests back to back for BENCH_API_SECONDS (default 15) with token
authentication, reusing their connection when the server keeps it open. Reports requests per second
and latency.

The clients: ``wrk`` when it is installed (``apt-get install wrk``; a C client that leaves the two
cores to gunicorn and the database), each response then counted by status (any non-2xx is an error),
after one response has been checked to hold 50 rows. Without wrk, Python threads send the requests and
check every response for a 200 with 50 rows; they take CPU from the server, so the figure is lower.

The floor, measured in the same run: the page's raw SQL (bench.scenarios.api_floor: its 50 rows and
its total, counted the way the API counts) sent back to back by as many processes as there are
clients, each on its own database connection, with no web server in between — the most requests per
second these cores give for that work whatever the application does.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/customers/?page_size=50"
TARGET_RPS = 330


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _client(port: int, token: str, stop: float, latencies: list, errors: list) -> None:
    conn = None
    headers = {"Authorization": f"Token {token}", "Accept": "application/json", "Connection": "keep-alive"}
    while time.monotonic() < stop:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.perf_counter()
        try:
            conn.request("GET", PATH, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = None
            continue
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status != 200 or len(json.loads(body)["results"]) != 50:
            errors.append(response.status)
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = None


def measure(*, port: int, token: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    _client(port, token, time.monotonic() + 2, [], [])  # warm the workers
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(port, token, stop, latencies, errors)) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "errors": len(errors),
            "median": statistics.median(latencies) if latencies else 0.0,
            "p95": latencies[int(len(latencies) * 0.95)] if latencies else 0.0}


def _wrk_measure(*, port: int, token: str, clients: int, seconds: float) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", PATH, headers={"Authorization": f"Token {token}", "Accept": "application/json"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200 or len(json.loads(body)["results"]) != 50:
        raise RuntimeError(f"the API answered {response.status}: {body[:200]!r}")
    command = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds:.0f}s", "--latency",
               "-H", f"Authorization: Token {token}", "-H", "Accept: application/json", f"http://127.0.0.1:{port}{PATH}"]
    subprocess.run([*command[:3], "-d2s", *command[4:]], check=True, capture_output=True)  # warm the workers
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return 0.0
        return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"requests": requests, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "errors": (int(errors.group(1)) if errors else 0) + (1 if socket_errors else 0),
            "median": ms("50"), "p95": ms("90"), "client": "wrk"}


def _floor_client(run, stop: float, done, serial: bool) -> None:
    from django.db import connection

    connection.close()  # a connection of its own, not the parent's
    if serial:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
    count = 0
    while time.monotonic() < stop:
        run()
        count += 1
    connection.close()
    done.put(count)


def floor_throughput(run, *, clients: int, seconds: float, serial: bool = False) -> float:
    """Requests per second of the raw SQL ``run`` sent by ``clients`` processes at once (``serial``:
    on PostgreSQL without parallel workers, see bench.scenarios.floor_time)."""
    from django.db import connection

    run()  # warm the cache
    connection.close()  # forked processes must not share the parent's connection
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    stop = time.monotonic() + seconds
    processes = [context.Process(target=_floor_client, args=(run, stop, done, serial)) for _ in range(clients)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    total = sum(done.get() for _ in processes)
    for process in processes:
        process.join()
    return total / (time.perf_counter() - started)


def report(world) -> dict:
    from rest_framework.authtoken.models import Token

    from bench.scenarios import api_floor, floor_time
    from core.management.commands.serve import gunicorn_command

    token, _created = Token.objects.get_or_create(user=world["manager"])
    port = int(os.environ.get("BENCH_API_PORT", "55511"))
    threads = int(os.environ.get("BENCH_API_THREADS", "0"))
    workers = os.environ.get("BENCH_API_WORKERS", "3" if threads else "2")
    clients = int(os.environ.get("BENCH_API_CLIENTS", "4"))
    seconds = float(os.environ.get("BENCH_API_SECONDS", "15"))
    env = {**os.environ, "DEBUG": "0", "CONN_MAX_AGE": "600"}
    if threads:  # the server `manage.py serve` (make run) starts: gthread workers
        command = gunicorn_command(host="127.0.0.1", port=port, workers=int(workers), threads=threads)
        kind = f"{workers} gthread workers × {threads} threads"
    else:
        command = [sys.executable, "-m", "gunicorn", "zhanggui.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   "--workers", workers, "--worker-class", "sync", "--log-level", "warning"]
        kind = f"{workers} sync workers"
    _median, serial = floor_time(api_floor(world), 10)  # the faster plan, as for the page's floor
    result = _serve_and_measure(command, env, port=port, token=token.key, clients=clients, seconds=seconds)
    ceiling = None
    if os.environ.get("BENCH_API_CEILING") == "1":  # the same load on a bare WSGI app (bench/api_ceiling.py)
        bare = [sys.executable, "-m", "gunicorn", "bench.api_ceiling:application", "--bind", f"127.0.0.1:{port}",
                "--workers", os.environ.get("BENCH_API_WORKERS", "2"), "--worker-class", "sync", "--log-level", "warning"]
        bare_env = {**env, "BENCH_CEILING_SUBTREE": world["manager"].department.path + "%",
                    "BENCH_CEILING_SERIAL": "1" if serial else ""}
        ceiling = _serve_and_measure(bare, bare_env, port=port, token=token.key, clients=clients, seconds=seconds)
    floor = floor_throughput(api_floor(world), clients=clients, seconds=seconds, serial=serial)
    verdict = "ok" if result["rps"] >= TARGET_RPS and not result["errors"] else "MISS"
    print(f"API throughput: GET {PATH}, gunicorn {kind}, {clients} clients, {seconds:.0f} s: "
          f"{result['rps']:.0f} req/s ({result['requests']} requests, {result['errors']} errors), "
          f"median {result['median']:.1f} ms, {'p90' if result.get('client') == 'wrk' else 'p95'} "
          f"{result['p95']:.1f} ms, clients: {result.get('client', 'python threads')} — target ≥{TARGET_RPS} req/s {verdict}\n"
          f"  floor: the same page's raw SQL from {clients} processes, no web server"
          f"{', no parallel workers (faster here)' if serial else ''}: {floor:.0f} req/s "
          f"(the API reaches {result['rps'] / floor:.2f} of it)",
          flush=True)
    if ceiling is not None:
        print(f"  ceiling: a bare WSGI app doing only that SQL{' (the same plan)' if serial else ''} and writing its "
              f"rows with orjson, behind the same gunicorn workers and clients: {ceiling['rps']:.0f} req/s ({ceiling['errors']} errors), "
              f"median {ceiling['median']:.1f} ms (the API reaches {result['rps'] / ceiling['rps']:.2f} of it)",
              flush=True)
    return {**result, "floor_rps": floor, "ceiling_rps": ceiling and ceiling["rps"]}


def _serve_and_measure(command: list[str], env: dict, *, port: int, token: str, clients: int, seconds: float) -> dict:
    """Start ``command`` (a gunicorn) on ``port``, load it with the clients, stop it."""
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        _wait_for(port)
        use_wrk = shutil.which("wrk") and os.environ.get("BENCH_API_CLIENT") != "python"
        return (_wrk_measure if use_wrk else measure)(port=port, token=token, clients=clients, seconds=seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
