from django.urls import path

from . import views_imports

urlpatterns = [
    path("", views_imports.import_list, name="import_list"),
    path("new/<str:entity>/", views_imports.import_new, name="import_new"),
    path("template/<str:entity>/", views_imports.import_blank, name="import_blank"),
    path("<int:pk>/", views_imports.import_detail, name="import_detail"),
    path("<int:pk>/report/", views_imports.import_report, name="import_report"),
]
