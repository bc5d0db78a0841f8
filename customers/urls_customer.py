"""Customer pages beyond the generic ModelUI ones (included by customers/urls.py, namespace "customers")."""

from django.urls import path

from . import views_customer, views_customer_basedata

urlpatterns = [
    path("customer/merge/", views_customer.MergePage.as_view(), name="customer_merge"),
    path("customer/duplicates/", views_customer.duplicates, name="customer_duplicates"),
    path("customer/<int:pk>/duplicates/", views_customer.find_duplicates_of, name="customer_duplicates_of"),
    path("customer/regions/", views_customer.region_options, name="customer_region_options"),
    path("customer/basedata/", views_customer_basedata.categories_and_tags, name="customer_basedata"),
]
