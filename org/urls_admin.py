from django.urls import path

from . import views_admin as v

urlpatterns = [
    path("departments/", v.department_list, name="department_list"),
    path("departments/new/", v.department_edit, name="department_create"),
    path("departments/<int:pk>/", v.department_edit, name="department_update"),
    path("departments/<int:pk>/delete/", v.department_delete, name="department_delete"),
    path("users/", v.user_list, name="user_list"),
    path("users/new/", v.user_edit, name="user_create"),
    path("users/<int:pk>/", v.user_edit, name="user_update"),
    path("users/<int:pk>/leave/", v.user_leave, name="user_leave"),
    path("users/<int:pk>/active/", v.user_toggle_active, name="user_toggle_active"),
    path("users/<int:pk>/password/", v.user_password, name="user_password"),
    path("roles/", v.role_list, name="role_list"),
    path("roles/new/", v.role_edit, name="role_create"),
    path("roles/<int:pk>/", v.role_edit, name="role_update"),
    path("roles/<int:pk>/delete/", v.role_delete, name="role_delete"),
    path("roles/<int:pk>/permissions/", v.role_permissions, name="role_permissions"),
    path("roles/<int:pk>/fields/", v.role_fields, name="role_fields"),
]
