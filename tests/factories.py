"""factory_boy factories. Reference data (catalogue, regions) are loaded once per test session."""

from __future__ import annotations

import factory

from spm.choices import Role
from spm.models import Agency, Region, User

TEST_PASSWORD = "rahasia-uji-123"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("region", "name")

    region = factory.LazyFunction(lambda: Region.objects.get(code="18.12"))
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    short_name = factory.Sequence(lambda n: f"DU{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    role = Role.OPERATOR
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if create:
            obj.save()
