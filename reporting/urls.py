"""URLs of the reporting app (namespace ``reporting``), mounted at /laporan/."""

from django.urls import path

from reporting.views import dashboard

app_name = "reporting"

urlpatterns: list = [
    path("dasbor/", dashboard.region_dashboard, name="dashboard"),
    path("peringkat/", dashboard.ranking, name="ranking"),
    path("capaian-saya/", dashboard.my_achievements, name="my-achievements"),
    path("capaian/<int:pk>/", dashboard.achievement_explain, name="achievement-explain"),
]
