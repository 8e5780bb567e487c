"""URLs of the reporting app (namespace ``reporting``), mounted at /laporan/."""

app_name = "reporting"

urlpatterns: list = []
