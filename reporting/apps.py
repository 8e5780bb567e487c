from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Pelaporan penerapan SPM")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reporting import signals  # noqa: F401 - connects the cache invalidation handlers
