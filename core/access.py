"""The access gate: the one place that decides which rows a user may read or change.

Every model holding business data registers here how it is scoped (owner, department and creator
fields, or a parent it follows). Views, API viewsets, exports, search, reports and jobs obtain rows
only through :func:`visible_to` / :func:`get_visible`; nothing else filters by owner or department.

Scope levels come from the user's roles (``org.Grant``), per module and operation; the widest
grant over all of the user's roles wins. "Own" means records the user owns or created, or that
were shared with the user or the user's department.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connections, models, router
from django.db.models import Func, Q, Subquery
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _

from org.models import FieldRule, Grant, Scope

from .prepared import Prepared

SHARE_READ_ACTIONS = {"read", "export", "print"}
ACTIONS = [choice for choice, _label in Grant.Action.choices]


@dataclass(frozen=True)
class ScopeSpec:
    module: str
    label: object
    owner: str | None = "owner"
    department: str | None = "department"
    creator: str | None = "created_by"
    via: str | None = None  # FK to a registered parent whose scope this model follows
    fields: tuple[str, ...] = ()  # fields the field-permission page offers for this kind of record
    entity: str = ""  # "app_label.model": the key of field permissions and custom fields
    # Lookups the owner/creator part of "own" scope must also satisfy, e.g. {"pool__isnull": True}:
    # a customer released to the public pool stops being "own" for its creator and last owner.
    own_only_if: tuple[tuple[str, object], ...] = ()


_registry: dict[type[models.Model], ScopeSpec] = {}
# Grants are per module (a customer's contacts share the customer module's grants)…
MODULES: dict[str, ScopeSpec] = {}
# …while field permissions and custom fields are per kind of record (entity).
ENTITIES: dict[str, ScopeSpec] = {}


def register(model, *, module: str, label=None, owner="owner", department="department",
             creator="created_by", via=None, fields=(), own_only_if: dict | None = None):
    """Declare how ``model`` is scoped. Child records pass ``via="customer"`` to follow a parent.
    ``own_only_if`` narrows the owner/creator part of "own" scope (shares and departments are unchanged)."""
    spec = ScopeSpec(module=module, label=label or model._meta.verbose_name_plural, owner=owner,
                     department=department, creator=creator, via=via, fields=tuple(fields),
                     entity=model._meta.label_lower, own_only_if=tuple((own_only_if or {}).items()))
    _registry[model] = spec
    ENTITIES[spec.entity] = spec
    if via is None or module not in MODULES:
        MODULES.setdefault(module, spec)
    return model


def spec_for(model) -> ScopeSpec:
    model = model._meta.concrete_model if hasattr(model, "_meta") else model
    try:
        return _registry[model]
    except KeyError:
        raise ImproperlyConfigured(f"{model.__name__} is not registered with the access gate") from None


def registered_models() -> list[type[models.Model]]:
    return list(_registry)


_ROLE_SQL: dict[str, tuple[str, list]] = {}
_USER_MARK = -918273645


def _role_statement():
    """The roles / grants / field rules union as a queryset, for the user id ``_USER_MARK``."""
    from org.models import Role

    def rows(qs, kind, role_id, t1, t2, t3, n):
        return qs.order_by().annotate(zk=models.Value(kind), zr=role_id, z1=t1, z2=t2, z3=t3, zn=n).values_list(
            "zk", "zr", "z1", "z2", "z3", "zn")

    text, empty, zero = models.CharField(), models.Value(""), models.Value(0)
    roles = rows(Role.objects.filter(users=_USER_MARK), "r", models.F("id"), models.F("ip_allowlist"),
                 models.Value("", output_field=text), models.Value("", output_field=text), zero)
    grant_rows = rows(Grant.objects.filter(role__users=_USER_MARK), "g", models.F("role_id"), models.F("module"),
                      models.F("action"), empty, models.F("scope"))
    rule_rows = rows(FieldRule.objects.filter(role__users=_USER_MARK), "f", models.F("role_id"), models.F("module"),
                     models.F("field"), models.F("mode"), zero)
    return roles.union(grant_rows, rule_rows, _subtree_statement(rows, text), all=True)


def _subtree_statement(rows, text):
    """The "d" rows of the role statement: each department in the user's subtree (the user's own and
    those below it), with the user's department id and the number of all departments, so the gate's
    subtree condition needs no statement of its own."""
    from org.models import User

    user = User.objects.filter(pk=_USER_MARK)
    return rows(_subtree_departments(Subquery(user.values("department__path")[:1])), "d",
                models.F("id"), Cast(Subquery(user.values("department_id")[:1]), text),
                models.Value("", output_field=text), models.Value("", output_field=text), models.F("every"))


def _subtree_departments(path):
    """The departments whose path starts with ``path`` (a value or an expression), each annotated with
    ``every``, the number of all departments."""
    from org.models import Department

    every = Department.objects.order_by().values(n=Func("pk", function="COUNT"))
    return Department.objects.filter(path__startswith=path).order_by().annotate(every=Subquery(every))


def _role_rows(user_id: int) -> list[tuple]:
    """Rows of :func:`_role_statement` for one user. The statement is the same on every request but
    for the user id, so its SQL is compiled once per database and only the id changes: building the
    three-part union anew cost more than running it."""
    alias = router.db_for_read(Grant)
    if alias not in _ROLE_SQL:
        sql, params = _role_statement().query.sql_with_params()
        _ROLE_SQL[alias] = (sql, list(params))
    sql, params = _ROLE_SQL[alias]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [user_id if p == _USER_MARK else p for p in params])
        return cursor.fetchall()


def _load_roles(user) -> None:
    """Fetch the user's roles, their grants and their field rules in one query and cache the three
    answers on the user object for the request (the org middleware's address check reads the role
    address lists from the same fetch). A role without grants or rules still comes back (as its "r"
    row), so "every role restricts this field" counts all roles."""
    grants: dict[tuple[str, str], int] = {}
    role_ids: list[int] = []
    allowlists: list[str] = []
    rules: list[tuple[int, str, str, str]] = []
    subtree: list[int] = []
    subtree_root, departments = None, 0
    if user.pk:
        for kind, role_id, t1, t2, t3, n in _role_rows(user.pk):
            if kind == "r":
                role_ids.append(role_id)
                allowlists.append(t1)
            elif kind == "g":
                grants[(t1, t2)] = max(grants.get((t1, t2), Scope.NONE), n)
            elif kind == "d":
                subtree.append(role_id)
                subtree_root, departments = int(t1), n
            else:
                rules.append((role_id, t1, t2, t3))
    per_field: dict[tuple[str, str], dict[int, str]] = {}
    for role_id, module, field, mode in rules:
        per_field.setdefault((module, field), {})[role_id] = mode
    field_rules = {}
    for key, modes in per_field.items():
        # The most permissive role wins: a field stays restricted only if all roles restrict it.
        if len(modes) == len(role_ids):
            field_rules[key] = "hidden" if all(m == "hidden" for m in modes.values()) else "readonly"
    user._zg_grants = grants
    user._zg_field_rules = field_rules
    user._zg_role_allowlists = allowlists
    if subtree_root is not None and subtree_root == user.department_id:
        # As _subtree() would load it; the department the database holds for the user decides.
        _per_user(user, "_zg_subtree", _department_writes, subtree_root,
                  lambda: (sorted(subtree), len(subtree) == departments))


def role_allowlists(user) -> list[str]:
    """The IP allowlists of the user's roles (empty text for a role without one), cached for the request."""
    if getattr(user, "_zg_role_allowlists", None) is None:
        _load_roles(user)
    return user._zg_role_allowlists


def _grants(user) -> dict[tuple[str, str], int]:
    """{(module, action): widest scope} for the user, cached on the user object for the request."""
    if getattr(user, "_zg_grants", None) is None:
        _load_roles(user)
    return user._zg_grants


def scope_level(user, module: str, action: str) -> int:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope.NONE
    if user.is_superuser:
        return Scope.ALL
    return _grants(user).get((module, action), Scope.NONE)


def can(user, action: str, model_or_module) -> bool:
    """Whether the user may do ``action`` to at least some records of the module."""
    module = model_or_module if isinstance(model_or_module, str) else spec_for(model_or_module).module
    return scope_level(user, module, action) > Scope.NONE


# A user's shares of one kind of record are read once per request into a list of ids, so the gate's
# condition says ``id IN (…)`` (or nothing, when there are none) instead of a subquery: PostgreSQL
# cannot use the owner and creator indexes beside an OR'ed subquery, and compiling the subquery cost
# as much as the rest of the condition. Past SHARED_IDS_INLINE shares the subquery is kept.
SHARED_IDS_INLINE = 500
# Bumped on every write of a share in this process (core.apps connects it): a user object that
# read its shares before the write reads them again.
_share_writes = [0]


def shares_changed(**_kwargs) -> None:
    _share_writes[0] += 1


_department_writes = [0]


def departments_changed(**_kwargs) -> None:
    _department_writes[0] += 1


def _share_statement(user_id, department_id, content_type_id):
    from .models import RecordShare

    return (RecordShare.objects.filter(Q(user_id=user_id) | Q(department_id=department_id), content_type_id=content_type_id)
            .order_by().values_list("object_id", "can_edit")[:SHARED_IDS_INLINE + 1])


_share_rows = Prepared(_share_statement, int, int, int)


def _per_user(user, name: str, writes: list[int], key, load):
    """``load()`` kept on the user object under ``key`` (so once per request, as each request loads its
    user), and loaded again after ``writes`` was bumped by a write in this process."""
    cached = getattr(user, name, None)
    if cached is None or cached[0] != writes[0]:
        cached = (writes[0], {})
        setattr(user, name, cached)
    if key not in cached[1]:
        cached[1][key] = load()
    return cached[1][key]


def _shares(user, content_type_id: int) -> list[tuple[int, bool]]:
    """(record id, may edit) of the user's shares of one kind of record."""
    # 0 matches no department: a user outside every department receives only personal shares.
    return _per_user(user, "_zg_shares", _share_writes, content_type_id,
                     lambda: _share_rows(user.pk, user.department_id or 0, content_type_id))


def _subtree(user) -> tuple[list[int], bool]:
    """The ids of the user's department and the departments below it, and whether that is every
    department. As literal ids the planner reads the department column's statistics; a subquery in an
    OR it can only guess at one half, which put a manager's million customers at "about 500,000"."""
    def load():
        rows = list(_subtree_departments(user.department.path).values_list("pk", "every"))
        return [pk for pk, _every in rows], bool(rows) and len(rows) == rows[0][1]

    return _per_user(user, "_zg_subtree", _department_writes, user.department_id, load)


def _subtree_q(user, field: str) -> Q:
    """``field`` in the user's subtree. When the subtree is every department that is ``field IS NOT
    NULL`` (a department id names an existing department), which PostgreSQL estimates from the
    column's null fraction: with the list of every id it put a top manager's million customers at
    about 680,000, once the departments' frequencies added up to the whole table."""
    ids, everywhere = _subtree(user)
    return Q(**{f"{field}__isnull": False}) if everywhere else Q(**{f"{field}__in": ids})


def _shared_ids(user, model, *, editable: bool):
    """The ids of the records of ``model`` shared with the user (for editing, when ``editable``): a
    list, or a subquery when there are more than SHARED_IDS_INLINE."""
    from .models import RecordShare

    content_type_id = ContentType.objects.get_for_model(model).pk
    rows = _shares(user, content_type_id)
    if len(rows) <= SHARED_IDS_INLINE:
        return [object_id for object_id, can_edit in rows if can_edit or not editable]
    target = Q(user=user)
    if user.department_id:
        target |= Q(department_id=user.department_id)
    more = {"can_edit": True} if editable else {}
    return RecordShare.objects.filter(target, content_type_id=content_type_id, **more).values("object_id")


def scope_q(user, model, level: int, *, action: str = "read") -> Q:
    """The row condition for a user at a scope level (levels NONE and ALL are handled by callers)."""
    spec = spec_for(model)
    prefix = f"{spec.via}__" if spec.via else ""
    root = model._meta.get_field(spec.via).related_model if spec.via else model
    root_spec = spec_for(root) if spec.via else spec
    cond = Q(pk__in=[])
    own = Q(pk__in=[])
    if root_spec.owner:
        own |= Q(**{f"{prefix}{root_spec.owner}": user})
    if root_spec.creator:
        own |= Q(**{f"{prefix}{root_spec.creator}": user})
    if root_spec.own_only_if:
        own &= Q(**{f"{prefix}{lookup}": value for lookup, value in root_spec.own_only_if})
    cond |= own
    # A share lets its receivers read the record, and change it when the share says so;
    # deleting, re-sharing and reassigning stay with the owner's side.
    if action in SHARE_READ_ACTIONS or action == "update":
        share_target = f"{spec.via}__in" if spec.via else "pk__in"
        cond |= Q(**{share_target: _shared_ids(user, root, editable=action == "update")})
    if root_spec.department and user.department_id:
        if level == Scope.DEPARTMENT:
            cond |= Q(**{f"{prefix}{root_spec.department}": user.department_id})
        elif level == Scope.SUBTREE:
            cond |= _subtree_q(user, f"{prefix}{root_spec.department}")
    return cond


def visible_to(user, action: str, model_or_qs) -> models.QuerySet:
    """The rows of a model (or of a narrower queryset) the user may do ``action`` to."""
    if isinstance(model_or_qs, models.QuerySet):
        qs, model = model_or_qs, model_or_qs.model
    else:
        model = model_or_qs
        qs = model._default_manager.all()
    level = scope_level(user, spec_for(model).module, action)
    if level == Scope.NONE:
        return qs.none()
    if level == Scope.ALL:
        return qs
    return qs.filter(scope_q(user, model, level, action=action))


def get_visible(user, action: str, model_or_qs, **lookup):
    """One row in the user's scope, or Http404: a record you may not touch does not exist for you."""
    try:
        return visible_to(user, action, model_or_qs).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(_("Record not found.")) from None


def ensure_in_scope(user, action: str, instance) -> None:
    """Called after a write inside its transaction: raising here rolls the write back."""
    if not visible_to(user, action, type(instance)._base_manager.filter(pk=instance.pk)).exists():
        raise PermissionDenied(_("After this change the record would be outside your data scope."))


def require(user, action: str, model_or_module) -> None:
    if not can(user, action, model_or_module):
        raise PermissionDenied(_("You do not have permission for this operation."))


def _field_rules(user) -> dict[tuple[str, str], str]:
    """{(entity, field): mode} where *every* role of the user restricts the field."""
    if getattr(user, "_zg_field_rules", None) is None:
        _load_roles(user)
    return user._zg_field_rules


def entity_of(model_or_entity) -> str:
    """``customers.contact`` for the Contact model; a string is taken as an entity key already."""
    return model_or_entity if isinstance(model_or_entity, str) else model_or_entity._meta.label_lower


def model_of(entity: str):
    for model, spec in _registry.items():
        if spec.entity == entity:
            return model
    raise KeyError(entity)


def hidden_fields(user, model_or_entity) -> set[str]:
    if user.is_superuser:
        return set()
    entity = entity_of(model_or_entity)
    return {field for (ent, field), mode in _field_rules(user).items() if ent == entity and mode == "hidden"}


def readonly_fields(user, model_or_entity) -> set[str]:
    """Fields the user may see but not change (hidden fields are unchangeable too)."""
    if user.is_superuser:
        return set()
    entity = entity_of(model_or_entity)
    return {field for (ent, field), _mode in _field_rules(user).items() if ent == entity}
