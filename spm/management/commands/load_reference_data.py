"""Load the SPM catalogue and the region tree from the project's copy (idempotent)."""

from django.core.management.base import BaseCommand

from spm.services import catalogue_load, regions_load


class Command(BaseCommand):
    help = "Memuat katalog SPM dan pohon wilayah Kemendagri (aman dijalankan berulang)."

    def handle(self, *args, **options) -> None:
        catalogue = catalogue_load()
        self.stdout.write(f"Katalog SPM: {catalogue}")
        regions = regions_load()
        self.stdout.write(f"Wilayah: {regions}")
