"""The basic data list the marketing app adds: why a lead was lost (线索无效原因)."""

from django.utils.translation import gettext_lazy

from core.basedata import register_kind

LEAD_LOST_REASONS = [
    ("invalid_contact", "联系方式无效"), ("no_need", "无需求"), ("no_budget", "无预算"),
    ("competitor", "已选择竞争对手"), ("duplicate", "重复线索"), ("spam", "垃圾信息"),
    ("out_of_area", "不在服务区域"), ("no_response", "多次联系无回应"), ("other", "其他原因"),
]

register_kind("lead_lost_reason", gettext_lazy("Lead lost reason"), LEAD_LOST_REASONS)
