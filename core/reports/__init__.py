"""Pivot reports: group gated rows by one or two dimensions and aggregate one measure.

A report (``Report``) names a model, the dimensions and measures it offers and the list page its
drill-down opens. ``pivot.run_pivot`` does the work in one GROUP BY query; every cell carries the
filter definition (core.lists.filters JSON) that selects exactly the rows it counts.
"""
