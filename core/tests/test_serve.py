"""`manage.py serve` end to end: gunicorn answers, the worker processes queued work, SIGTERM stops both."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from core.management.commands.serve import gunicorn_command

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited all the same.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_serve_runs_web_and_worker_and_stops_cleanly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TASKS_BACKEND", "REDIS_URL", "DEBUG"}}
    # Templates need no collectstatic manifest with SIMPLE_STATIC (make run collects the files instead).
    env.update(VAR_DIR=str(tmp_path), SIMPLE_STATIC="1", PYTHONUNBUFFERED="1")
    subprocess.run([sys.executable, MANAGE, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=120)
    port = free_port()
    log = open(tmp_path / "serve.log", "w+")
    # One web worker keeps the test quick; the default of three is checked below.
    serve = subprocess.Popen([sys.executable, MANAGE, "serve", "--port", str(port), "--workers", "1"], env=env, stdout=log,
                             stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: http_status(f"http://127.0.0.1:{port}/org/login/") == 200, 30, "the login page")

        # Queue work in the database from another process, as the web app would.
        subprocess.run([sys.executable, MANAGE, "shell", "-v", "0", "-c",
                        "from core.models import PeriodicRun; from core.periodic import run_periodic_job; "
                        "run = PeriodicRun.objects.create(job='prune_task_results', slot='serve-test'); "
                        "run_periodic_job.enqueue('prune_task_results', run.pk)"],
                       env=env, check=True, timeout=60)
        db = tmp_path / "db.sqlite3"

        def processed():
            with sqlite3.connect(db) as conn:
                row = conn.execute("select finished_at, error from core_periodicrun where slot = 'serve-test'").fetchone()
            return row if row and row[0] else None

        finished_at, error = wait_for(processed, 20, "the worker to process the queued task")
        assert error == ""

        log.seek(0)
        pids = [int(pid) for pid in re.findall(r"started \w+ \(pid (\d+)\)", log.read())]
        assert len(pids) == 2
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        assert not [pid for pid in pids if alive(pid)]
        assert http_status(f"http://127.0.0.1:{port}/org/login/") is None
    finally:
        if serve.poll() is None:
            serve.kill()
        log.seek(0)
        output = log.read()
        log.close()
    assert "Traceback" not in output, output


def test_serve_stops_when_a_child_dies(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TASKS_BACKEND", "REDIS_URL"}}
    env.update(VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    port = free_port()
    serve = subprocess.Popen([sys.executable, MANAGE, "serve", "--port", str(port), "--workers", "1"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output = ""
        for line in serve.stdout:
            output += line
            match = re.search(r"started worker \(pid (\d+)\)", line)
            if match:
                os.kill(int(match.group(1)), signal.SIGKILL)
                break
        rest, _err = serve.communicate(timeout=30)
        assert serve.returncode != 0
        assert "worker exited" in output + rest
    finally:
        if serve.poll() is None:
            serve.kill()


def test_gunicorn_defaults():
    argv = gunicorn_command(host="127.0.0.1", port=8123)
    line = " ".join(argv)
    assert "zhanggui.wsgi:application" in argv and "--bind 127.0.0.1:8123" in line
    assert "--workers 3" in line and "--worker-class gthread" in line
    assert "access-log" not in line
