"""Create the demo daerah with its OPD and one demo user per role (idempotent)."""

from django.core.management.base import BaseCommand

from spm.demo import DEMO_PASSWORD, demo_setup
from spm.services import reference_data_load


class Command(BaseCommand):
    help = "Menyiapkan daerah demo (Kabupaten Tulang Bawang Barat), OPD, dan akun demo per peran."

    def handle(self, *args, **options) -> None:
        reference_data_load()
        results = demo_setup()
        self.stdout.write(self.style.SUCCESS("Akun demo (kata sandi: %s):" % DEMO_PASSWORD))
        for account, created in results:
            mark = "baru" if created else "sudah ada"
            self.stdout.write(f"  {account.username:<18} {account.description} ({mark})")
