from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("core.urls")),
    path("org/", include("org.urls")),
    path("customers/", include("customers.urls")),
    path("products/", include("products.urls")),
    path("sales/", include("sales.urls")),
    path("marketing/", include("marketing.urls")),
    path("contracts/", include("contracts.urls")),
    path("targets/", include("targets.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("zhanggui.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("captcha/", include("captcha.urls")),
    path("django-admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
