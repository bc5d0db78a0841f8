"""Declaring the pages of a business model once: ``ModelUI`` gives list, detail, create, edit,
delete, history, export, print and batch pages that all read through the access gate.

An app writes a subclass (see ``customers/ui.py``) and includes ``ui.urls()`` in its urls.py.
URL names are ``<app_label>:<model_name>_<page>``, e.g. ``customers:customer_list``.
"""

from __future__ import annotations

from django.urls import get_script_prefix, path, reverse

from . import access

_PK_MARK = 918273645546372819
_URL_PATTERNS: dict[tuple[str, str], str] = {}

_registry: dict[str, ModelUI] = {}


class ModelUI:
    model = None
    # Columns the list can show, in their default order; the first ``frozen`` stay on the left.
    list_columns: list[str] = []
    default_columns: list[str] | None = None
    frozen = 1
    search_fields: list[str] = []      # fields the search box matches (icontains) unless search() is overridden
    filter_fields: list[str] | None = None  # fields the filter builder offers; default: list_columns
    form_fields: list[str] = []        # fields of the create/edit form
    detail_fields: list[str] | None = None  # default: form_fields
    default_ordering: list[str] = ["-id"]
    select_related: list[str] = []
    # Extra buttons of the list's batch bar, e.g. {"url_name": "customers:customer_merge", "icon": "arrows-join",
    # "label": _("Merge"), "needs": "delete"}: shown to users who may do "needs"; a click opens the url with
    # the selected rows as ?ids=1,2,3&next=<list address>.
    batch_buttons: list[dict] = []
    icon = "file"
    # The fields row_class() reads. A UI that overrides row_class without naming them here has its list
    # pages load whole rows (core.lists.columns.page_fields).
    row_fields: tuple[str, ...] | None = None

    # ---- identity -------------------------------------------------------------------------
    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def key(self) -> str:
        """List key for saved filters / column preferences, e.g. ``customers.customer``."""
        return f"{self.app_label}.{self.model_name}"

    @property
    def module(self) -> str:
        return access.spec_for(self.model).module

    def url_name(self, page: str) -> str:
        return f"{self.app_label}:{self.model_name}_{page}"

    def url(self, page: str, pk=None) -> str:
        if pk is None:
            return reverse(self.url_name(page))
        # A list links every row: the address is reversed once per page kind and prefix, then filled in.
        key = (self.url_name(page), get_script_prefix())
        pattern = _URL_PATTERNS.get(key)
        if pattern is None:
            pattern = _URL_PATTERNS[key] = reverse(key[0], args=[_PK_MARK])
        return pattern.replace(str(_PK_MARK), str(int(pk)))

    @property
    def import_url(self) -> str:
        """The import page when an importer is registered for this model (core.imports), else ""."""
        from .imports.registry import get_importer

        try:
            get_importer(self.key)
        except KeyError:
            return ""
        return reverse("core:import_new", args=[self.key])

    @staticmethod
    def row_class(obj) -> str:
        """A CSS class for the record's row in lists (e.g. terminated red); none by default."""
        return ""

    # ---- data -----------------------------------------------------------------------------
    def queryset(self, user, action: str = "read"):
        qs = access.visible_to(user, action, self.model)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def search(self, qs, term: str, *, user=None):
        """Rows matching the search box. With ``user``, fields hidden from that user are not searched,
        so probing the search cannot reveal hidden values."""
        from django.db.models import Q

        term = term.strip()
        fields = self.searchable_fields(user)
        if not term or not fields:
            return qs
        cond = Q()
        for name in fields:
            cond |= Q(**{f"{name}__icontains": term})
        return qs.filter(cond)

    def searchable_fields(self, user=None) -> list[str]:
        if user is None:
            return list(self.search_fields)
        hidden = access.hidden_fields(user, self.model)
        return [name for name in self.search_fields if name.split("__")[0] not in hidden]

    # ---- writes (domain apps override to call their own services) ----------------------------
    def create(self, *, actor, data: dict, custom: dict):
        from . import services

        return services.create_record(actor=actor, model=self.model, data=data, custom=custom)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services

        return services.update_record(actor=actor, instance=instance, data=data, custom=custom, expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services

        return services.delete_record(actor=actor, instance=instance)

    def restore_version(self, *, actor, instance, number: int, expected_version: int | None):
        from . import services

        return services.restore_version(actor=actor, instance=instance, number=number, expected_version=expected_version)

    # ---- urls -----------------------------------------------------------------------------
    def urls(self) -> list:
        from . import crud
        from .lists import views as list_views

        n = self.model_name
        kw = {"ui": self}
        return [
            path(f"{n}/", list_views.ListPage.as_view(**kw), name=f"{n}_list"),
            path(f"{n}/export/", list_views.ExportPage.as_view(**kw), name=f"{n}_export"),
            path(f"{n}/print/", list_views.PrintPage.as_view(**kw), name=f"{n}_print"),
            path(f"{n}/batch/", list_views.BatchPage.as_view(**kw), name=f"{n}_batch"),
            path(f"{n}/new/", crud.CreatePage.as_view(**kw), name=f"{n}_create"),
            path(f"{n}/<int:pk>/", crud.DetailPage.as_view(**kw), name=f"{n}_detail"),
            path(f"{n}/<int:pk>/edit/", crud.UpdatePage.as_view(**kw), name=f"{n}_update"),
            path(f"{n}/<int:pk>/delete/", crud.DeletePage.as_view(**kw), name=f"{n}_delete"),
            path(f"{n}/<int:pk>/history/", crud.HistoryPage.as_view(**kw), name=f"{n}_history"),
            path(f"{n}/<int:pk>/share/", crud.SharePage.as_view(**kw), name=f"{n}_share"),
        ]


def register(ui_class: type[ModelUI]) -> ModelUI:
    ui = ui_class()
    _registry[ui.key] = ui
    return ui


def ui_for(key_or_model) -> ModelUI:
    if not isinstance(key_or_model, str):
        key_or_model = f"{key_or_model._meta.app_label}.{key_or_model._meta.model_name}"
    return _registry[key_or_model]


def all_uis() -> list[ModelUI]:
    return list(_registry.values())
