"""Pages of the products app (namespace "products")."""

from django.urls import path

from . import views_basedata, views_product
from .ui import ProductUI

app_name = "products"
urlpatterns = [
    *ProductUI.urls(),
    path("product/<int:pk>/units/", views_product.product_units, name="product_units"),
    path("product/<int:pk>/prices/", views_product.product_prices, name="product_prices"),
    path("categories/", views_basedata.categories, name="categories"),
    path("units/", views_basedata.units, name="units"),
    path("price-levels/", views_basedata.price_levels, name="price_levels"),
]
