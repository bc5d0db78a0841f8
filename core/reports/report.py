"""A pivot report: a model's list (ModelUI), the dimensions and measures it offers, and how a request asks for it.

Apps declare one ``Report`` per statistics page and may add measures later (``add_measure``) when
their data model grows one. The page, its export and its API all call ``Report.run`` so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import access
from core.lists.filters import allowed_fields, apply_definition, parse_definition

from .dimensions import Dimension, Measure
from .pivot import PivotResult, run_pivot

CHART_TYPES = ("bar", "stack", "line", "pie")


def _error(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_report")


@dataclass
class ReportQuery:
    """What one request asks for; ``params`` rebuilds it as URL parameters."""

    x: str
    series: str = ""
    measure: str = "count"
    chart: str = "bar"
    definition: dict | None = None


class Report:
    def __init__(self, *, key: str, ui, title, dimensions: list[Dimension], measures: list[Measure],
                 default_x: str | None = None):
        self.key = key
        self.ui = ui
        self.title = title
        self._dimensions: dict[str, Dimension] = {}
        self._measures: dict[str, Measure] = {}
        for dim in dimensions:
            self.add_dimension(dim)
        for measure in measures:
            self.add_measure(measure)
        self.default_x = default_x or dimensions[0].key

    @property
    def model(self):
        return self.ui.model

    # ---- registry hooks: apps add what their data model offers -----------------------------
    def add_dimension(self, dim: Dimension) -> Dimension:
        self.model._meta.get_field(dim.field)  # fail at start-up, not on a user's request
        self._dimensions[dim.key] = dim
        return dim

    def add_measure(self, measure: Measure) -> Measure:
        if measure.field:
            self.model._meta.get_field(measure.field)
        self._measures[measure.key] = measure
        return measure

    # ---- what a user may use ------------------------------------------------------------------
    def dimensions_for(self, user) -> list[Dimension]:
        hidden = access.hidden_fields(user, self.model)
        return [d for d in self._dimensions.values() if d.field not in hidden]

    def measures_for(self, user) -> list[Measure]:
        hidden = access.hidden_fields(user, self.model)
        return [m for m in self._measures.values() if not m.field or m.field not in hidden]

    def _dimension(self, user, key: str, hidden: set[str]) -> Dimension:
        dim = self._dimensions.get(key)
        if dim is None:
            raise _error(_("Unknown dimension: %(key)s.") % {"key": key})
        if dim.field in hidden:
            raise _error(_("You may not use the field %(field)s.") % {"field": dim.key})
        return dim

    def resolve(self, user, query: ReportQuery) -> tuple[Dimension, Dimension | None, Measure]:
        """The dimensions and measure a query names, or ValidationError saying what is wrong."""
        hidden = access.hidden_fields(user, self.model)
        x = self._dimension(user, query.x, hidden)
        series = self._dimension(user, query.series, hidden) if query.series else None
        if series is not None and series.key == x.key:
            raise _error(_("Choose two different dimensions."))
        measure = self._measures.get(query.measure)
        if measure is None:
            raise _error(_("Unknown measure: %(key)s.") % {"key": query.measure})
        if measure.field and measure.field in hidden:
            raise _error(_("You may not use the field %(field)s.") % {"field": measure.key})
        if query.chart not in CHART_TYPES:
            raise _error(_("Unknown chart type: %(key)s.") % {"key": query.chart})
        if query.chart == "pie" and series is not None:
            raise _error(_("A pie chart shows one dimension only; remove the second dimension."))
        return x, series, measure

    def run(self, user, query: ReportQuery, *, action: str = "read") -> PivotResult:
        """The pivot of the rows the user may ``action``, narrowed by the query's filter."""
        access.require(user, action, self.model)
        x, series, measure = self.resolve(user, query)
        fields = allowed_fields(self.ui, user)
        qs = access.visible_to(user, action, self.model)
        qs = apply_definition(qs, self.ui, user, query.definition, fields=fields)
        return run_pivot(qs, ui=self.ui, user=user, x=x, series=series, measure=measure,
                         drill_fields={f.name for f in fields}, base=query.definition)

    def read_query(self, params, *, extra_rules: list[dict] | None = None) -> ReportQuery:
        """A query from request parameters x, series, measure, chart and f (filter JSON); ``extra_rules``
        (quick filters of a page) are ANDed with the filter. ValidationError for malformed input."""
        definition = parse_definition(params.get("f"))
        if extra_rules:
            if definition and definition.get("rules") and definition.get("op", "and") == "and":
                definition = {"op": "and", "rules": [*definition["rules"], *extra_rules]}
            elif definition and definition.get("rules"):
                definition = {"op": "and", "rules": [definition, *extra_rules]}
            else:
                definition = {"op": "and", "rules": list(extra_rules)}
        return ReportQuery(
            x=(params.get("x") or self.default_x).strip()[:60],
            series=(params.get("series") or "").strip()[:60],
            measure=(params.get("measure") or "count").strip()[:60],
            chart=(params.get("chart") or "bar").strip()[:20],
            definition=definition,
        )
