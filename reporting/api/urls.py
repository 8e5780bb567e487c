from rest_framework.routers import DefaultRouter

from reporting.api import views

app_name = "reporting-api"

router = DefaultRouter()
router.register("laporan", views.QuarterlyReportViewSet, basename="report")
router.register("capaian", views.AchievementViewSet, basename="achievement")
router.register("penerima-impor", views.RecipientImportViewSet, basename="recipient-import")
router.register("penerima", views.RecipientViewSet, basename="recipient")

urlpatterns = router.urls
