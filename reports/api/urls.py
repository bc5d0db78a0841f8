"""Routes the reports app adds under /api/v1/reports/ (plain API views, not a router)."""

from .urls_analysis import urlpatterns as analysis_urls
from .urls_pipeline import urlpatterns as pipeline_urls

urlpatterns = [*pipeline_urls, *analysis_urls]
