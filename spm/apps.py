from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SpmConfig(AppConfig):
    name = "spm"
    verbose_name = _("Katalog SPM dan organisasi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from spm.roles import sync_role_permissions
        from spm.security import session_started

        # After every migrate (all apps), give each role group the permissions declared in spm.roles.
        post_migrate.connect(sync_role_permissions, dispatch_uid="spm_sync_role_permissions")
        # The idle and absolute session timeouts count from the login (spm.security.SessionTimeoutMiddleware).
        user_logged_in.connect(session_started, dispatch_uid="spm_session_started")

        from spm import access

        # A change of a user's role or an OPD's assignments makes cached access scopes stale.
        access.connect_signals()

        from spm import freshness

        # Every committed write moves the data version under which pages are cached (spm.fragments).
        freshness.connect_signals()
