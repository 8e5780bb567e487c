"""What a page was rendered with, for tests: the view's context and, where the page has a cached part
(``spm.fragments``), the context that part is computed with (computed again if the part came from the cache)."""

from __future__ import annotations


class PageContext:
    def __init__(self, response) -> None:
        self.response = response

    def _part_data(self) -> dict:
        try:
            part = self.response.context["page_part"]
        except KeyError:
            return {}
        return part.data if part is not None else {}

    def __getitem__(self, key: str):
        data = self._part_data()
        if key in data:
            return data[key]
        return self.response.context[key]

    def __contains__(self, key: str) -> bool:
        if key in self._part_data():
            return True
        try:
            self.response.context[key]
        except KeyError:
            return False
        return True

    def get(self, key: str, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def page_context(response) -> PageContext:
    return PageContext(response)
