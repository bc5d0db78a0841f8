from django.urls import path

from . import views_jobs

urlpatterns = [
    path("", views_jobs.job_list, name="job_list"),
    path("<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("<int:pk>/download/", views_jobs.job_download, name="job_download"),
]
