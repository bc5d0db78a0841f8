from django.apps import apps
from django.core import checks

from .models import BusinessModel


@checks.register()
def business_models_are_gated(app_configs, **kwargs):
    """Every business model must tell the access gate how it is scoped."""
    from . import access

    registered = set(access.registered_models())
    errors = []
    for model in apps.get_models():
        if issubclass(model, BusinessModel) and model not in registered:
            errors.append(checks.Error(f"{model._meta.label} has no access-gate registration", id="core.E001"))
    return errors
