"""Test URLconf for the review pages: the project's URLs, plus stand-ins for the operator's pages if missing.

The review templates link to ``reporting:report-detail`` and ``reporting:evidence-download`` (built on the
operator side). Until that branch is merged they do not exist here, so this URLconf adds two stub patterns
in the ``reporting`` namespace. Once the real views exist, it adds nothing and is the project's URLconf.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import NoReverseMatch, URLResolver, include, path, reverse

import reporting.urls
from spm.urls import urlpatterns as project_urlpatterns


def _stub(request, pk: int) -> HttpResponse:
    return HttpResponse(f"stub {pk}")


def _missing(name: str) -> bool:
    try:
        reverse(f"reporting:{name}", kwargs={"pk": 1}, urlconf="spm.urls")
    except NoReverseMatch:
        return True
    return False


_stubs = [
    path(route, _stub, name=name)
    for route, name in [("stub/laporan/<int:pk>/", "report-detail"), ("stub/bukti/<int:pk>/", "evidence-download")]
    if _missing(name)
]

if _stubs:
    urlpatterns = [
        p for p in project_urlpatterns if not (isinstance(p, URLResolver) and p.namespace == "reporting")
    ] + [path("laporan/", include(([*reporting.urls.urlpatterns, *_stubs], "reporting")))]
else:
    urlpatterns = list(project_urlpatterns)
