"""Helpers for tests in every app: build departments, roles with grants and users in one line."""

from __future__ import annotations

import itertools

from org.models import Department, Grant, Role, Scope, User

_seq = itertools.count(1)
PASSWORD = "Zg-test-pass-2026"


def make_department(name: str = "", parent: Department | None = None) -> Department:
    dept = Department.objects.create(name=name or f"部门{next(_seq)}", parent=parent)
    dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
    dept.save(update_fields=["path"])
    return dept


def make_role(code: str = "", grants: dict[str, dict[str, int]] | None = None, **extra) -> Role:
    code = code or f"role{next(_seq)}"
    role = Role.objects.create(name=extra.pop("name", code), code=code, **extra)
    for module, actions in (grants or {}).items():
        for action, scope in actions.items():
            Grant.objects.create(role=role, module=module, action=action, scope=int(scope))
    return role


def full_grants(module: str, scope: int = Scope.ALL, actions=None) -> dict[str, dict[str, int]]:
    actions = actions or [a for a, _l in Grant.Action.choices]
    return {module: {action: scope for action in actions}}


def make_user(username: str = "", *, department: Department | None = None, roles=(), superuser: bool = False,
              password: str = PASSWORD, **extra) -> User:
    username = username or f"user{next(_seq)}"
    if superuser:
        user = User.objects.create_superuser(username=username, password=password, department=department, **extra)
    else:
        user = User.objects.create_user(username=username, password=password, department=department, **extra)
    if roles:
        user.roles.set(roles)
    return user


def run_together(workers: int, work, *, expected: tuple = ()) -> list:
    """Run ``work(index)`` in ``workers`` threads released at the same moment (PostgreSQL concurrency
    tests). Returns each thread's result, or the exception it raised when that is one of ``expected``
    (a refusal the test asserts on); each thread closes its own database connection."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(workers)
    outcomes: list = [None] * workers

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = work(index)
        except expected as exc:
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
