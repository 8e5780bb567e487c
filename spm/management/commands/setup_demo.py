"""Create the demo daerah with their OPD and one demo user per role (idempotent); with ``--laporan`` also the
reports of the last two triwulan, so the dashboards and the provincial evaluation show figures."""

from django.core.management.base import BaseCommand

from spm.demo import DEMO_PASSWORD, demo_reports, demo_setup
from spm.services import reference_data_load


class Command(BaseCommand):
    help = (
        "Menyiapkan daerah demo (Kabupaten Tulang Bawang Barat, Kota Metro, Provinsi Lampung), OPD, dan akun demo "
        "per peran; dengan --laporan juga laporan dua triwulan terakhir."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--laporan",
            action="store_true",
            help="Buat juga laporan triwulan demo (dua triwulan terakhir) agar dasbor dan evaluasi berisi angka.",
        )

    def handle(self, *args, **options) -> None:
        reference_data_load()
        results = demo_setup()
        self.stdout.write(self.style.SUCCESS("Akun demo (kata sandi: %s):" % DEMO_PASSWORD))
        for account, created in results:
            mark = "baru" if created else "sudah ada"
            self.stdout.write(f"  {account.username:<26} {account.description} ({mark})")
        if options["laporan"]:
            count = demo_reports()
            self.stdout.write(self.style.SUCCESS(f"Laporan triwulan demo dibuat: {count}."))
