"""Add year partitions to the recipient table (PostgreSQL): run once a year, before the year starts."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reporting import partitions
from reporting.services.periods import today


class Command(BaseCommand):
    help = (
        "Menambah partisi tahunan tabel penerima layanan dasar (PostgreSQL) sampai tahun yang diminta; baris "
        "tahun itu yang sudah ada di partisi bawaan dipindahkan ke partisinya."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--through", type=int, help="Tahun terakhir yang dibuatkan partisi (bawaan: tahun berjalan + 1)."
        )
        parser.add_argument("--from", dest="first", type=int, help="Tahun pertama (bawaan: tahun berjalan).")

    def handle(self, *args, **options) -> None:
        if not partitions.is_partitioned():
            self.stdout.write("Tabel penerima tidak berpartisi (bukan PostgreSQL); tidak ada yang dilakukan.")
            return
        current = today().year
        first, last = options["first"] or current, options["through"] or current + 1
        if first > last:
            raise CommandError("Tahun pertama sesudah tahun terakhir.")
        for year in range(first, last + 1):
            if partitions.add_year_partition(year):
                self.stdout.write(f"Partisi {partitions.partition_name(year)} dibuat.")
            else:
                self.stdout.write(f"Partisi tahun {year} sudah ada.")
