"""Issue 13: official documents a Bupati can sign. The PDFs are read back (pdfplumber) with hostile data — 29
services, 200-character program names made of long Indonesian words, several years — and must keep every word
on the page, never break a word letter by letter, carry every urusan heading, the kop on the first page and the
kepala daerah's signature where it belongs; the docx holds the same headings; the lambang is sanitised."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pdfplumber
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from docx import Document
from PIL import Image

from reporting.achievements.services import active_rules
from reporting.choices import ReportStatus
from reporting.models import Achievement, QuarterlyReport
from reporting.services.periods import period_get_or_create
from spm.models import Affair, BasicService
from spm.services import service_assign
from targets import official_docx, official_report
from targets.choices import ANNUAL
from targets.emblem import clean_emblem, sanitise_svg
from targets.exports import plan_html, plan_pdf, plan_xlsx_bytes
from targets.models import RegionProfile
from targets.services import (
    EditionInput,
    PlanItemInput,
    edition_get_or_create,
    edition_save,
    plan_create,
    plan_item_save,
)
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

LONG_WORDS = [
    "mempertanggungjawabkan",
    "penyelenggaraan",
    "ketidakberdayaan",
    "keberlangsungan",
    "kesejahteraan",
    "pemberdayaan",
    "ketenagakerjaan",
    "berkesinambungan",
]
AGENCY = "Dinas Pemberdayaan Masyarakat, Perlindungan Perempuan dan Anak, Pengendalian Penduduk dan Keluarga Berencana"


def long_text(prefix: str, length: int = 200) -> str:
    words, i = [prefix], 0
    while len(" ".join(words)) < length:
        words.append(LONG_WORDS[i % len(LONG_WORDS)])
        i += 1
    return " ".join(words)[:length].rsplit(" ", 1)[0]


def png_bytes(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 72), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def hostile(daerah, reviewer):
    """All 29 jenis pelayanan dasar assigned to one long-named OPD; stored achievements for two thirds of them
    in 2026 (TW I and TW IV), long permasalahan, a 2026–2030 rencana aksi with 200-character programs."""
    agency = AgencyFactory(region=daerah, name=AGENCY, short_name="DPMPPAPPKB")
    services = list(BasicService.objects.for_region(daerah).active().order_by("affair__order", "order"))
    assert len(services) == 29
    for service in services:
        service_assign(region=daerah, service=service, agency=agency)
    rules, _ = active_rules()
    for quarter in (1, 4):
        period = period_get_or_create(region=daerah, year=2026, quarter=quarter)
        for n, service in enumerate(services):
            if n % 3 == 2:
                continue  # a third of the services have nothing stored: "belum ada data"
            report = QuarterlyReport.objects.create(
                period=period,
                region=daerah,
                service=service,
                agency=agency,
                status=ReportStatus.APPROVED,
                problems=long_text("Permasalahan", 240),
                solutions=long_text("Solusi", 240),
            )
            Achievement.objects.create(
                region=daerah,
                year=2026,
                quarter=quarter,
                level="layanan",
                service=service,
                report=report,
                must_serve=1_234_567,
                served=1_111_111,
                recipient_pct=Decimal("90.0001"),
                quality_pct=Decimal("88.5"),
                index=Decimal("89.7"),
                status="utama",
                rules=rules,
                budget_allocated=123_456_789_000,
                budget_realised=98_765_432_100,
                inputs={"quality": [[56, 53], [12, 11]]},
            )
        for affair in Affair.objects.all():
            Achievement.objects.create(
                region=daerah,
                year=2026,
                quarter=quarter,
                level="urusan",
                affair=affair,
                index=Decimal("89.7"),
                status="utama",
                rules=rules,
            )
        Achievement.objects.create(
            region=daerah,
            year=2026,
            quarter=quarter,
            level="daerah",
            index=Decimal("89.7"),
            status="utama",
            rules=rules,
        )
    plan = plan_create(user=reviewer, region=daerah, start_year=2026, end_year=2030)
    for n, item in enumerate(plan.items.all()):
        nomenclature = {
            "program_code": "1.02.02",
            "program_name": long_text(f"Program{n}"),
            "activity_code": "1.02.02.2.01",
            "activity_name": long_text("Kegiatan"),
            "sub_activity_code": "1.02.02.2.01.0001",
            "sub_activity_name": long_text("Subkegiatan"),
        }
        years = {y: (1_234_567 + i, Decimal("99.99"), 12_345_678_900) for i, y in enumerate(plan.years)}
        plan_item_save(user=reviewer, item=item, data=PlanItemInput(nomenclature=nomenclature, years=years))
    RegionProfile.objects.create(
        region=daerah,
        address="Jalan Cemara Nomor 1, Panaragan Jaya, Tulang Bawang Tengah, Tulang Bawang Barat 34693",
        head_name="Novriwan Jaya",
        signing_place="Panaragan",
    )
    return plan


def words_of(pdf_bytes: bytes):
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [(page.width, page.height, page.extract_words(), page.extract_text() or "") for page in pdf.pages]


def assert_fits(pages) -> None:
    """Every word inside the page box; no word broken into letters; the long words never split."""
    seen = set()
    for number, (width, height, words, _text) in enumerate(pages, start=1):
        for w in words:
            assert w["x0"] >= 0 and w["x1"] <= width + 0.5, f"halaman {number}: {w['text']!r} keluar halaman"
            assert w["top"] >= 0 and w["bottom"] <= height + 0.5, f"halaman {number}: {w['text']!r} keluar halaman"
            assert not re.fullmatch(r"[a-z]", w["text"]), f"halaman {number}: huruf tunggal {w['text']!r}"
            seen.add(w["text"].strip(",.;:"))
    missing = [w for w in LONG_WORDS if w not in seen]
    assert not missing, f"kata panjang terpotong: {missing}"


class _HtmlText(HTMLParser):
    """The text a document's HTML carries (not its style sheet)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_style = 0

    def handle_starttag(self, tag, attrs) -> None:
        self._in_style += tag == "style"

    def handle_endtag(self, tag) -> None:
        self._in_style -= tag == "style"

    def handle_data(self, data) -> None:
        if not self._in_style:
            self.parts.append(data)


# Words a line may legitimately end on: after a hyphen or a slash ("sehari-hari", "kabupaten/kota").
_BREAKABLE = re.compile(r"[-/\u2010\u2013]")
# Text the style sheet adds: the page footer, and the dot leaders of the table of contents.
_GENERATED = {"halaman", "dari"}
_LEADER = re.compile(r"\.{3,}\d*$")


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    return [t.strip(".,;:()\"'“”‘’").casefold() for chunk in text.split() for t in _BREAKABLE.split(chunk)]


def assert_no_word_broken(pdf_bytes: bytes, html: str) -> None:
    """No table column (nor any line) narrower than its longest word: every word printed is a whole word of
    the document's text. A column too narrow for a word breaks it into pieces that are not words of the text
    ("mempertanggung" + "jawabkan", or one letter per line), and the piece is named with its page."""
    parser = _HtmlText()
    parser.feed(html)
    words = set(_tokens(" ".join(parser.parts))) | _GENERATED
    broken = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for w in page.extract_words():
                for token in _tokens(_LEADER.sub("", w["text"])):
                    if re.search(r"[^\W\d_]", token) and token not in words:
                        broken.append((number, w["text"]))
    assert not broken, f"kata terpotong (halaman, potongan): {broken[:20]}"


def render(daerah, quarter: int):
    edition = edition_get_or_create(region=daerah, year=2026, quarter=quarter)
    content = official_report.build(edition, today=dt.date(2027, 3, 1))
    return content, official_report.render_pdf(content)


@pytest.mark.parametrize("quarter", [ANNUAL, 1])
def test_report_pdf_fits_the_page_and_follows_the_format(hostile, daerah, quarter):
    content, pdf = render(daerah, quarter)
    assert_no_word_broken(pdf, official_report.render_html(content))
    pages = words_of(pdf)
    assert_fits(pages)
    texts = [re.sub(r"\s+", " ", text) for *_x, text in pages]
    full = " ".join(texts)
    for _level, heading in content.outline():
        assert heading in full, heading
    for affair in Affair.objects.all():
        assert f"Bidang Urusan {affair.name}" in full
    assert "Belum ada data" in full
    # every jenis pelayanan dasar of the daerah is present, with or without data
    services = BasicService.objects.for_region(daerah).active()
    assert sorted(line.service.code for a in content.affairs for line in a.services) == sorted(
        services.values_list("code", flat=True)
    )
    assert all(code in full for code in services.values_list("code", flat=True))
    assert "PEMERINTAH KABUPATEN TULANG BAWANG BARAT" in texts[0] and "Jalan Cemara Nomor 1" in texts[0]
    closing = next(i for i, t in enumerate(texts) if "BAB IV PENUTUP" in t and "DAFTAR ISI" not in t)
    annex = next(i for i, t in enumerate(texts) if t.lstrip().startswith("LAMPIRAN") or "LAMPIRAN: REKAPITULASI" in t)
    signature = [i for i, t in enumerate(texts) if "Novriwan Jaya" in t and "BUPATI TULANG BAWANG BARAT" in t]
    assert signature and closing <= signature[0] < annex
    assert "Panaragan, 1 Maret 2027" in texts[signature[0]]
    assert all(f"Halaman {n} dari {len(pages)}" in t for n, t in enumerate(texts, start=1))
    # the lampiran is landscape, the report portrait
    assert pages[0][0] < pages[0][1] and pages[annex][0] > pages[annex][1]
    period = "TAHUN 2026" if quarter == ANNUAL else "TRIWULAN I TAHUN 2026"
    assert period in texts[0]


def test_action_plan_pdf_fits_with_headers_on_every_page(hostile, daerah):
    pdf = plan_pdf(hostile)
    assert_no_word_broken(pdf, plan_html(hostile))
    pages = words_of(pdf)
    assert_fits(pages)
    texts = [re.sub(r"\s+", " ", text) for *_x, text in pages]
    assert len(pages) > 2 and all(w > h for w, h, *_r in pages)  # landscape
    assert "PEMERINTAH KABUPATEN TULANG BAWANG BARAT" in texts[0] and "LAMPIRAN" in texts[0]
    assert all(f"Halaman {n} dari {len(pages)}" in t for n, t in enumerate(texts, start=1))
    table_pages = [t for t in texts if "1.234.567" in t]
    assert all("Program / kegiatan / sub kegiatan" in t for t in table_pages)  # repeated thead
    assert "Jumlah per tahun" in texts[-1] or "Jumlah per tahun" in texts[-2]
    assert "Novriwan Jaya" in texts[-1] and "BUPATI TULANG BAWANG BARAT" in texts[-1]
    # sums per year: 29 services × 12.345.678.900
    assert texts[-1].count("358.024.688.100") + texts[-2].count("358.024.688.100") == 5


MM = 72 / 25.4  # PDF points per millimetre


@pytest.mark.parametrize(("paper", "size_mm"), [("A4", (210, 297)), ("F4", (215, 330))])
def test_paper_size_chosen_for_the_daerah_is_used_by_every_document(hostile, daerah, paper, size_mm):
    """A4 by default; F4 (215 × 330 mm, still common in daerah offices) when the admin picks it: the report in
    portrait, its lampiran and the rencana aksi in landscape, and the rencana aksi xlsx printed on it."""
    RegionProfile.objects.filter(region=daerah).update(paper_size=paper)
    width, height = (round(mm * MM) for mm in size_mm)
    _content, pdf = render(daerah, ANNUAL)
    pages = [(round(w), round(h)) for w, h, *_rest in words_of(pdf)]
    assert pages[0] == (width, height) and pages[-1] == (height, width)
    assert set(pages) == {(width, height), (height, width)}
    assert {(round(w), round(h)) for w, h, *_rest in words_of(plan_pdf(hostile))} == {(height, width)}
    sheet = openpyxl.load_workbook(io.BytesIO(plan_xlsx_bytes(hostile))).active
    assert sheet.page_setup.paperSize == {"A4": 9, "F4": 14}[paper]
    workbook = openpyxl.load_workbook(io.BytesIO(official_report.render_xlsx(_content)))
    printed = [ws for ws in workbook.worksheets if ws.page_setup.orientation == "landscape"]
    assert printed and all(ws.page_setup.paperSize == {"A4": 9, "F4": 14}[paper] for ws in printed)


def test_docx_has_the_same_headings(hostile, daerah):
    content, _pdf = render(daerah, ANNUAL)
    doc = Document(io.BytesIO(official_docx.render_docx(content)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    expected = [heading for _level, heading in content.outline()]
    assert headings[: len(expected)] == expected
    assert headings[-1].startswith("LAMPIRAN")
    assert any("Novriwan Jaya" in p.text for p in doc.paragraphs)
    assert "PEMERINTAH KABUPATEN TULANG BAWANG BARAT" in doc.tables[0].rows[0].cells[1].text


def test_report_draws_the_uploaded_lambang(hostile, daerah):
    profile = RegionProfile.objects.get(region=daerah)
    _ext, data = clean_emblem("lambang.png", png_bytes())
    profile.emblem.save("lambang.png", ContentFile(data))
    _content, pdf = render(daerah, ANNUAL)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert doc.pages[0].images, "lambang tidak tampil pada kop"


def test_annual_edition_tracks_its_due_date(reviewer, daerah):
    today = dt.date.today()
    edition = edition_get_or_create(region=daerah, year=today.year, quarter=ANNUAL)
    assert edition.due_date == dt.date(today.year + 1, 3, 31)
    assert edition.timeliness(today=dt.date(today.year + 1, 4, 2)) == "Terlambat (belum disampaikan)"
    edition = edition_save(
        user=reviewer, region=daerah, year=today.year, quarter=ANNUAL, data=EditionInput(submitted_on=today)
    )
    assert edition.timeliness() == "Tepat waktu" and not edition.is_late
    with pytest.raises(ValidationError):
        edition_save(
            user=reviewer,
            region=daerah,
            year=today.year,
            quarter=ANNUAL,
            data=EditionInput(submitted_on=today + dt.timedelta(days=2)),
        )
    assert edition_get_or_create(region=daerah, year=today.year, quarter=2).due_date is None


def test_empty_narrative_uses_defaults_drawn_from_the_data(hostile, daerah):
    content, _pdf = render(daerah, ANNUAL)
    assert "89,70" in content.narrative["conclusion"] and "20 dari 29" in content.narrative["conclusion"]
    assert "Peraturan Menteri Dalam Negeri Nomor 100 Tahun 2018" in content.narrative["legal_basis"]


def test_svg_lambang_loses_scripts_handlers_and_external_references():
    svg = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
  <script>alert(2)</script>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
  <image xlink:href="http://evil.example/a.png" width="10" height="10"/>
  <use href="#shape"/>
  <rect id="shape" width="10" height="10" fill="url(#g)" style="background:url(http://evil.example/b)"/>
  <a href="javascript:alert(3)"><text>&xxe;</text></a>
</svg>"""
    clean = sanitise_svg(svg).decode()
    for bad in ("script", "onload", "foreignObject", "evil.example", "javascript:", "passwd", "ENTITY"):
        assert bad not in clean, bad
    assert 'href="#shape"' in clean and 'fill="url(#g)"' in clean


def test_png_lambang_is_reencoded_and_other_files_refused():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, format="PNG", pnginfo=info)
    ext, data = clean_emblem("lambang.png", out.getvalue() + b"trailing")
    assert ext == "png" and b"script" not in data and b"trailing" not in data
    for name, payload in (("lambang.gif", b"GIF89a..."), ("lambang.png", b"\x89PNG\r\n\x1a\nrusak")):
        with pytest.raises(ValidationError):
            clean_emblem(name, payload)


def test_admin_form_stores_the_sanitised_lambang(daerah):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from targets.admin import RegionProfileForm

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script><rect width="4"/></svg>'
    form = RegionProfileForm(
        data={"region": daerah.pk, "paper_size": "F4"},
        files={"emblem": SimpleUploadedFile("lambang.svg", svg, content_type="image/svg+xml")},
    )
    assert form.is_valid(), form.errors
    profile = form.save()
    stored = profile.emblem.read()
    assert b"script" not in stored and b"onload" not in stored and b"<rect" in stored
    bad = RegionProfileForm(
        data={"region": daerah.pk, "paper_size": "A4"},
        files={"emblem": SimpleUploadedFile("lambang.svg", b"bukan gambar")},
    )
    assert not bad.is_valid() and "emblem" in bad.errors
