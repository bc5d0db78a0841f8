"""Pages of the marketing app (namespace "marketing")."""

app_name = "marketing"
urlpatterns: list = []
