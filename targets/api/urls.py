from rest_framework.routers import DefaultRouter

from targets.api import views

app_name = "targets-api"

router = DefaultRouter()
router.register("e-spm", views.EspmViewSet, basename="espm")

urlpatterns = router.urls
