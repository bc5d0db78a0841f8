"""REST throughput: GET /api/v1/customers/?page_size=50 under concurrent clients against gunicorn.

Starts gunicorn (BENCH_API_WORKERS sync workers, default 2) on 127.0.0.1:BENCH_API_PORT (default
55511) over the benchmark database, then BENCH_API_CLIENTS threads (default 4) each send requests
back to back for BENCH_API_SECONDS (default 15) with token authentication, reusing their connection
when the server keeps it open. Reports requests per second and latency; every response is checked
to be a 200 with 50 rows, so errors cannot inflate the figure.
"""

from __future__ import annotations

import http.client
import json
import os
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


def report(world) -> dict:
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=world["manager"])
    port = int(os.environ.get("BENCH_API_PORT", "55511"))
    workers = os.environ.get("BENCH_API_WORKERS", "2")
    clients = int(os.environ.get("BENCH_API_CLIENTS", "4"))
    seconds = float(os.environ.get("BENCH_API_SECONDS", "15"))
    env = {**os.environ, "DEBUG": "0", "CONN_MAX_AGE": "600"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "zhanggui.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", workers, "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        _wait_for(port)
        result = measure(port=port, token=token.key, clients=clients, seconds=seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    verdict = "ok" if result["rps"] >= TARGET_RPS and not result["errors"] else "MISS"
    print(f"API throughput: GET {PATH}, gunicorn {workers} sync workers, {clients} clients, {seconds:.0f} s: "
          f"{result['rps']:.0f} req/s ({result['requests']} requests, {result['errors']} errors), "
          f"median {result['median']:.1f} ms, p95 {result['p95']:.1f} ms — target ≥{TARGET_RPS} req/s {verdict}",
          flush=True)
    return result
