"""API lists served from the shared cache under the data version (``spm.fragments.cached``).

For lists of figures (reports, achievements) that many clients poll: the serialized page is kept per query
string, host (the ``next``/``previous`` links) and audience (``spm.access.audience_key``: what the access
rules read of the user), and the first request after any committed write computes it again. Lists of personal
data (recipients) do not use it: no copy of them is kept outside the database.
"""

from __future__ import annotations

from rest_framework.response import Response

from spm import access
from spm.fragments import cached


class CachedListMixin:
    def list(self, request, *args, **kwargs):
        key = (
            request.scheme,
            request.get_host(),
            sorted(request.query_params.lists()),
            access.audience_key(request.user),
        )
        parent = super()

        def compute():
            # Errors (a filter refused, a page past the last) raise before anything is kept.
            return parent.list(request, *args, **kwargs).data

        return Response(cached(f"api-{self.basename}", key, compute))
