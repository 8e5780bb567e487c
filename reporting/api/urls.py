from rest_framework.routers import DefaultRouter

from reporting.api import views

app_name = "reporting-api"

router = DefaultRouter()
router.register("laporan", views.QuarterlyReportViewSet, basename="report")
router.register("capaian", views.AchievementViewSet, basename="achievement")

urlpatterns = router.urls
