"""Pages of the reports app (namespace "reports"); each report family keeps its own url module."""

from .urls_analysis import urlpatterns as analysis_urls
from .urls_pipeline import urlpatterns as pipeline_urls

app_name = "reports"
urlpatterns = [*pipeline_urls, *analysis_urls]
