"""``make run``: the web server (gunicorn) and the background worker, as two supervised children.

SIGINT/SIGTERM are passed on to both; if either child dies the other is stopped and this command
exits non-zero, so a process manager (systemd, Docker) sees the failure and restarts the pair.
Static files are served by WhiteNoise from ``collectstatic`` output (``make run`` collects them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_GRACE_SECONDS = 20  # a worker finishes the task at hand before it exits


def _die_with_parent() -> None:
    """Run in the child before exec: Linux sends it SIGTERM if ``serve`` itself is killed outright."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the children then outlive a SIGKILLed parent, as with any supervisor


def gunicorn_command(*, host: str, port: int, workers: int = 3, threads: int = 4) -> list[str]:
    # gunicorn writes no access log unless given --access-logfile; errors go to stderr.
    return [sys.executable, "-m", "gunicorn", "zhanggui.wsgi:application", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--graceful-timeout", str(STOP_GRACE_SECONDS - 5), "--error-logfile", "-",
            # No runtime control socket: there is one per user home, and instances would clash on it.
            "--no-control-socket", "--chdir", str(settings.BASE_DIR)]


class Command(BaseCommand):
    help = "Serve the CRM: gunicorn on 127.0.0.1:PORT plus the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("SERVE_HOST", "127.0.0.1"),
                            help="Address to bind (default 127.0.0.1; put a reverse proxy in front for the network).")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--no-worker", action="store_true", help="Only the web server (workers run elsewhere).")

    def handle(self, *, port: int, host: str, workers: int, threads: int, no_worker: bool, **options):
        if not 0 < port < 65536:
            raise CommandError("The port must be between 1 and 65535.")
        commands = {"web": gunicorn_command(host=host, port=port, workers=workers, threads=threads)}
        if not no_worker:
            commands["worker"] = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "run_worker"]
        code = Supervisor(commands, stdout=self.stdout).run()
        if code:
            raise SystemExit(code)


class Supervisor:
    """Start children, pass stop signals on, and stop all when one exits."""

    def __init__(self, commands: dict[str, list[str]], *, stdout=None):
        self.commands = commands
        self.stdout = stdout
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def _say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)

    def _on_signal(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, argv in self.commands.items():
                # Own process group: a Ctrl+C in the terminal reaches only us, and we stop the children
                # once, gracefully (a second SIGINT would make the worker abandon its task).
                self.children[name] = subprocess.Popen(argv, process_group=0, preexec_fn=_die_with_parent)
                self._say(f"started {name} (pid {self.children[name].pid})")
            failed = ""
            while not self.stopping and not failed:
                for name, child in self.children.items():
                    if child.poll() is not None:
                        failed = name
                        break
                else:
                    time.sleep(0.2)
            if failed:
                self._say(f"{failed} exited with status {self.children[failed].returncode}; stopping")
            self._stop_all()
            if failed:
                code = self.children[failed].returncode
                return code if code and code > 0 else 1  # killed by a signal, or an unexpected clean exit
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop_all(kill_only=True)

    def _stop_all(self, *, kill_only: bool = False) -> None:
        alive = [c for c in self.children.values() if c.poll() is None]
        if not kill_only:
            for child in alive:
                child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            for child in alive:
                try:
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    pass
        for child in self.children.values():
            if child.poll() is None:
                child.kill()
                child.wait()
