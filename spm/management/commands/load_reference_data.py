"""Load the SPM catalogue, the region tree, the mutu item lists, the juknis and the Kamus SPM (idempotent)."""

from django.core.management.base import BaseCommand

from spm.services import reference_data_load


class Command(BaseCommand):
    help = "Memuat katalog SPM, wilayah, daftar item mutu, juknis dan Kamus SPM (aman dijalankan berulang)."

    def handle(self, *args, **options) -> None:
        for name, result in reference_data_load().items():
            self.stdout.write(f"{name}: {result}")
