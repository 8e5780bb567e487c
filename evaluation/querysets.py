"""Read paths of the provincial evaluation; every list and detail starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db import models

from spm.access import restrict


class CorrectionRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> CorrectionRequestQuerySet:
        """The evaluator sees its kab/kota's requests; the daerah's verifikator and pimpinan its own."""
        return restrict(self, user)


class AnnualEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> AnnualEvaluationQuerySet:
        return restrict(self, user)
