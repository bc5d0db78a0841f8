"""Public pool and assignment history pages (included by customers/urls.py, namespace "customers")."""

from django.urls import path

from . import views_assignments, views_pools

urlpatterns = [
    path("pools/", views_pools.pool_list, name="pool_list"),
    path("pools/<int:pk>/", views_pools.pool_list, name="pool_detail"),
    path("pools/customer/<int:pk>/", views_pools.pool_customer, name="pool_customer"),
    path("pools/claim/", views_pools.pool_claim, name="pool_claim"),
    path("pools/manage/", views_pools.pool_manage, name="pool_manage"),
    path("customer/<int:pk>/release/", views_pools.customer_release, name="customer_release"),
    path("customers/release/", views_pools.customer_release_batch, name="customer_release_batch"),
    path("assignments/", views_assignments.assignment_list, name="assignment_list"),
]
