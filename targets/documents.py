"""What every official PDF of the daerah shares: the kop surat, the signature block, the paper, and a
WeasyPrint run that never fetches anything from outside the document.

The kop and the signature block follow the usual naskah dinas of a pemerintah daerah: lambang on the left,
"PEMERINTAH KABUPATEN …" in capitals with the address under it and a double rule; the kepala daerah signs
with place and date, title in capitals, name, and the NIP only when the signer is a civil servant (a Pj. or
Plh.); an elected Bupati/Wali Kota/Gubernur has no NIP. (Assumed from practice; the tata naskah dinas
regulation itself was not read here.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from spm.models import Region
from targets.choices import PAPER_MM, PaperSize


@dataclass(frozen=True)
class Letterhead:
    """Kop surat and signer of one daerah, as plain values for the templates and the docx."""

    government_name: str
    address: str
    contact: str
    emblem_uri: str
    emblem_bytes: bytes
    emblem_ext: str
    head_title: str
    head_name: str
    head_nip: str
    signing_place: str
    paper: str

    @property
    def signer_title(self) -> str:
        """BUPATI TULANG BAWANG BARAT"""
        return self.head_title.upper()

    def page_size(self, *, landscape: bool = False) -> str:
        """The CSS ``size`` of a page: "210mm 297mm" (portrait) or "297mm 210mm" (landscape)."""
        width, height = PAPER_MM[PaperSize(self.paper)]
        return f"{height}mm {width}mm" if landscape else f"{width}mm {height}mm"

    @property
    def page_portrait(self) -> str:
        return self.page_size()

    @property
    def page_landscape(self) -> str:
        return self.page_size(landscape=True)


# The paper of an xlsx sheet (openpyxl's page-setup codes: 9 = A4, 14 = Folio, 8.5 × 13 in, read as F4).
XLSX_PAPER = {PaperSize.A4: 9, PaperSize.F4: 14}


def letterhead(region: Region, *, signer_name: str = "") -> Letterhead:
    """The kop and signer of a daerah from its profile; sensible values when no profile was filled yet."""
    from targets.emblem import data_uri
    from targets.models import RegionProfile

    profile = RegionProfile.objects.filter(region=region).first()
    emblem_bytes, emblem_ext = b"", ""
    if profile and profile.emblem:
        try:
            with profile.emblem.open("rb") as f:
                emblem_bytes = f.read()
            emblem_ext = "svg" if profile.emblem.name.lower().endswith(".svg") else "png"
        except OSError:  # a missing file must not stop the report; the kop then has no lambang
            emblem_bytes = b""
    short_title = region.head_of_region
    head_title = f"{profile.head_title} {region.short_name}" if profile and profile.head_title else short_title
    return Letterhead(
        government_name=(profile.government_name if profile and profile.government_name else "")
        or f"PEMERINTAH {region.name}".upper(),
        address=profile.address if profile else "",
        contact=profile.contact if profile else "",
        emblem_uri=data_uri(emblem_ext, emblem_bytes) if emblem_bytes else "",
        emblem_bytes=emblem_bytes,
        emblem_ext=emblem_ext,
        head_title=head_title,
        head_name=signer_name or (profile.head_name if profile else ""),
        head_nip=profile.head_nip if profile else "",
        signing_place=(profile.signing_place if profile and profile.signing_place else region.short_name),
        paper=profile.paper_size if profile else PaperSize.A4,
    )


def long_date(value: dt.date) -> str:
    """31 Maret 2026 (Indonesian month names, whatever language is active)."""
    months = [
        _("Januari"),
        _("Februari"),
        _("Maret"),
        _("April"),
        _("Mei"),
        _("Juni"),
        _("Juli"),
        _("Agustus"),
        _("September"),
        _("Oktober"),
        _("November"),
        _("Desember"),
    ]
    return f"{value.day} {months[value.month - 1]} {value.year}"


def write_pdf(html: str) -> bytes:
    """The PDF of an official document. Only inline ``data:`` URIs may be fetched (the lambang is inlined), so
    nothing in the document can make WeasyPrint reach a file on the server or another host."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


__all__ = ["XLSX_PAPER", "Letterhead", "letterhead", "long_date", "write_pdf"]
