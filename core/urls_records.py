from django.urls import path

from . import views_records as v

urlpatterns = [
    path("audit/", v.audit_log, name="audit_log"),
    path("recipients/", v.recipients, name="recipients"),
    path("recycle-bin/", v.recycle_bin, name="recycle_bin"),
    path("recycle-bin/<str:label>/<int:pk>/restore/", v.recycle_restore, name="recycle_restore"),
    path("recycle-bin/<str:label>/<int:pk>/purge/", v.recycle_purge, name="recycle_purge"),
]
