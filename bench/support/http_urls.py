"""URLconf of the bench stack: every URL of e-SPM plus the floor, a trivial view behind the same middleware.

The floor answers a short text without touching the database itself (the session and the user are still loaded
by the middleware, as for every page), so its throughput is what the stack costs before any page's work.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from spm.urls import urlpatterns as project_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/lantai/", floor, name="bench-floor"), *project_urlpatterns]
