"""Pagination of the API that holds to the schema: ``page`` is an integer, so ``?page=`` (empty) is refused
(404, as a page past the last one) rather than read as page 1, which DRF's ``PageNumberPagination`` does."""

from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is None:
            return 1
        return value  # "" or any non-number: Django's paginator refuses it and DRF answers 404
