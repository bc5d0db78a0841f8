"""Pages of the contracts app (namespace "contracts")."""

app_name = "contracts"
urlpatterns: list = []
