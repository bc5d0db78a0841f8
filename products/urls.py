"""Pages of the products app (namespace "products")."""

app_name = "products"
urlpatterns: list = []
