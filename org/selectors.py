"""Reads of the organisation that pages, lists and the API share (choosers for assign and share)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Department, User


def working_users():
    """People records may go to: enabled accounts of users who have not left."""
    return User.objects.filter(is_active=True, status=User.Status.ACTIVE)


def everyone():
    """Every account, working ones first, with its department: choosers that filter history by person
    (people who have left still appear in it)."""
    return User.objects.select_related("department").order_by("-is_active", "department__path", "id")


def active_departments():
    return Department.objects.filter(active=True)


def share_targets(user_ids, department_ids) -> tuple[list[User], list[Department]]:
    """The users and departments chosen to share with; every id must be a working user / a department."""
    user_ids, department_ids = {int(i) for i in user_ids}, {int(i) for i in department_ids}
    users = list(working_users().filter(pk__in=user_ids))
    departments = list(Department.objects.filter(pk__in=department_ids))
    if len(users) != len(user_ids) or len(departments) != len(department_ids):
        raise ValidationError(_("Some of the chosen users or departments do not exist."))
    return users, departments
