"""Recompute stored achievements (IP-SPM) for any scope, on demand, with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reporting.achievements.services import RecomputeStats, achievements_recompute, regions_with_reports
from reporting.services.periods import today
from spm.models import Region


class Command(BaseCommand):
    help = "Menghitung ulang capaian SPM (IP-SPM) per daerah, tahun dan triwulan."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--daerah", help="Kode wilayah daerah, mis. 18.12 (bawaan: semua daerah yang melapor).")
        parser.add_argument("--year", type=int, help="Tahun (bawaan: tahun berjalan).")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="Triwulan (bawaan: semua).")
        parser.add_argument("--reason", default="", help="Alasan (dicatat bila periode sudah ditutup).")

    def handle(self, *args, **options) -> None:
        year = options["year"] or today().year
        if options["daerah"]:
            region = Region.objects.daerah().filter(code=options["daerah"]).first()
            if region is None:
                raise CommandError(f"Daerah dengan kode {options['daerah']} tidak ditemukan.")
            regions = [region]
        else:
            regions = list(Region.objects.filter(pk__in=regions_with_reports(year)).order_by("code"))
        total = RecomputeStats()
        for done, region in enumerate(regions, start=1):
            stats = achievements_recompute(
                region=region, year=year, quarter=options["quarter"], reason=options["reason"]
            )
            total = total + stats
            width = 30
            filled = width * done // len(regions)
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{len(regions)} {region.name:<40}", ending=""
            )
            self.stdout.flush()
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Selesai: {len(regions)} daerah; {total.created} baru, {total.updated} diperbarui, "
                f"{total.revised} revisi, {total.unchanged} tetap, {total.removed} dihapus."
            )
        )
