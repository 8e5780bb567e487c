"""Forms of the spm app."""

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with our own wording (its Indonesian default repeats "nama pengguna")."""

    error_messages = {
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah. Perhatikan huruf besar/kecil; hubungi admin bila lupa kata sandi."
        ),
        "inactive": _("Akun ini dinonaktifkan. Hubungi admin sistem."),
    }
