"""Input limits read from the model, so forms and services check what the database will enforce.

A value longer than a ``varchar(40)``, an integer beyond the column's range or a Decimal with too many
digits (or ``NaN``) makes the database raise ``DataError`` — a 500 for the user. The limits are never copied
as numbers into forms or services: they are read from the model field here, so a migration that changes a
column changes the check with it.

- :func:`max_length` / :func:`max_value` give a form field its bound (``forms.CharField(max_length=…)``);
- :func:`field_errors` / :func:`validate_fields` check raw values in a service with the model field's own
  validators (length, integer range of the database, digits and decimal places), each message prefixed with
  the field's Indonesian ``verbose_name``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.text import capfirst


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def max_length(model: type[models.Model], name: str) -> int | None:
    """The ``max_length`` of a model's text field (None for a TextField without one)."""
    return _field(model, name).max_length


def max_value(model: type[models.Model], name: str) -> int | None:
    """The largest value a model's integer field accepts (its own validator, or the database's range)."""
    limits = [v.limit_value for v in _field(model, name).validators if isinstance(v, MaxValueValidator)]
    return min(limits) if limits else None


def field_errors(
    model: type[models.Model], values: Mapping[str, Any], *, keys: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Messages for the values that the model's fields would refuse, keyed by field name (or ``keys[name]``,
    the name the form uses). Empty values are left to the domain rules (required or not)."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if value is None or value == "":
            continue
        field = _field(model, name)
        try:
            field.run_validators(field.to_python(value))
        except ValidationError as exc:
            key = (keys or {}).get(name, name)
            errors.setdefault(key, []).extend(f"{capfirst(field.verbose_name)}: {message}" for message in exc.messages)
    return errors


def validate_fields(model: type[models.Model], values: Mapping[str, Any], **kwargs) -> None:
    """Raise a ValidationError (by field) when a value does not fit its model field."""
    errors = field_errors(model, values, **kwargs)
    if errors:
        raise ValidationError(errors)


def parse_id(value: str | None, model: type[models.Model]) -> int | None:
    """A primary key typed into a form (``?import=12``): None unless it is digits within the key's range."""
    text = (value or "").strip()
    if not text.isdigit():
        return None
    number = int(text)
    limit = max_value(model, model._meta.pk.name)
    return number if 0 < number <= (limit if limit is not None else 2**63 - 1) else None
