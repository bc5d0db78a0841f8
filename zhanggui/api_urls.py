"""Everything under /api/v1/. Each app contributes a ``register(router)`` in its api/urls.py."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from contracts.api import urls as contracts_api
from core.api import recycle
from core.api.views import UnknownEndpoint
from customers.api import urls as customers_api
from marketing.api import urls as marketing_api
from org.api import urls as org_api
from org.api.auth import ObtainTokenView
from products.api import urls as products_api
from reports.api import urls as reports_api
from sales.api import urls as sales_api
from targets.api import urls as targets_api

router = DefaultRouter()
org_api.register(router)
customers_api.register(router)
products_api.register(router)
sales_api.register(router)
marketing_api.register(router)
contracts_api.register(router)
targets_api.register(router)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("recycle-bin/", recycle.RecycleBinList.as_view(), name="api-recycle-bin"),
    path("recycle-bin/<str:model>/<int:pk>/restore/", recycle.RecycleBinRestore.as_view(), name="api-recycle-restore"),
    path("recycle-bin/<str:model>/<int:pk>/", recycle.RecycleBinPurge.as_view(), name="api-recycle-purge"),
    *org_api.urlpatterns,
    path("reports/", include(reports_api.urlpatterns)),
    *router.urls,
    # Only addresses ending in "/": without it Django first redirects to the address with "/".
    re_path(r"^.*/$", UnknownEndpoint.as_view()),
]
