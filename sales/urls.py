"""Pages of the sales app (namespace "sales")."""

app_name = "sales"
urlpatterns: list = []
