from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SpmConfig(AppConfig):
    name = "spm"
    verbose_name = _("Katalog SPM dan organisasi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from spm.roles import sync_role_permissions

        # After every migrate (all apps), give each role group the permissions declared in spm.roles.
        post_migrate.connect(sync_role_permissions, dispatch_uid="spm_sync_role_permissions")
        from spm import access

        # A change of a user's role or an OPD's assignments makes cached access scopes stale.
        access.connect_signals()
