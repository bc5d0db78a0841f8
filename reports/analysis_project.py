"""Customer project analysis (客户项目分析): per salesperson or customer, the projects' expected cost,
expected sales and project (opportunity) amount with their profits and margins, plus the actual cost
and actual sales entered on each project (卓越精财: after converting an opportunity to a project,
"再进行实际成本与实际金额的修改") and the actual profit and margin.

Same rules as the opportunity analysis (reports.analysis_opportunity): live projects the user may
read, created in the period, narrowed by subject and stage; one GROUP BY, formulas in Python.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from sales.models import Project

from .analysis_opportunity import GroupedAnalysis
from .formulas import PROJECT_COLUMNS, project_figures


def _project_ui():
    from sales.ui import ProjectUI

    return ProjectUI


PROJECT_ANALYSIS = GroupedAnalysis(
    key="reports.project_analysis",
    title=gettext_lazy("Customer project analysis"),
    model=Project,
    list_ui=_project_ui,
    sums={"cost": "cost_estimate", "expected": "expected_amount", "amount": "amount",
          "actual_cost": "actual_cost", "actual_sales": "actual_sales"},
    figures=project_figures,
    columns=PROJECT_COLUMNS,
)
