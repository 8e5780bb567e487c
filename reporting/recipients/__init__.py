"""Recipient lists (data penerima layanan dasar, by name by address): the pure row rules (``validation``),
the streaming reader of rows (``rows``), the template and report workbooks (``xlsx``), the import steps
(``services``: upload, validate, cancel, purge, export), the one transaction that stores a list (``store``),
the reads other parts use (``selectors``), forms and admin.
"""
