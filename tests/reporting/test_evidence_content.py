"""Dokumen pendukung must be what it claims: pypdf opens a PDF (with a page), Pillow decodes a PNG/JPEG to
the last pixel, and images are stored re-encoded, without appended bytes or EXIF."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from reporting.models import Evidence
from reporting.services import evidence_add
from tests.reporting.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt: str, *, exif: bool = False) -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    for x in range(40):
        image.putpixel((x, 5), (0, 0, 255))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Kamera Uji"  # Make
        data[0x8825] = {2: (5.0, 30.0, 0.0)}  # GPS latitude
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored(evidence: Evidence) -> bytes:
    with evidence.file.open("rb") as handle:
        return handle.read()


def refusal(report, user, name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as info:
        evidence_add(report=report, user=user, upload=upload(name, content))
    return " ".join(info.value.message_dict["file"])


def test_a_real_pdf_is_stored_as_uploaded(report, operator_a, media):
    evidence = evidence_add(report=report, user=operator_a, upload=upload("sk.pdf", PDF_BYTES))
    assert stored(evidence) == PDF_BYTES
    assert (evidence.content_type, evidence.size) == ("application/pdf", len(PDF_BYTES))


def test_a_pdf_header_on_an_html_body_is_refused(report, operator_a, media):
    message = refusal(report, operator_a, "bukti.pdf", b"%PDF-1.7\n" + HTML)
    assert message == "Berkas 'bukti.pdf' ditolak: isinya bukan PDF yang utuh dan tidak dapat dibuka."
    assert not Evidence.objects.exists()


def test_a_pdf_without_pages_is_refused(report, operator_a, media):
    out = io.BytesIO()
    PdfWriter().write(out)
    assert "PDF tidak memiliki halaman" in refusal(report, operator_a, "kosong.pdf", out.getvalue())


def test_a_password_protected_pdf_is_refused(report, operator_a, media):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("rahasia")
    out = io.BytesIO()
    writer.write(out)
    assert "kata sandi" in refusal(report, operator_a, "terkunci.pdf", out.getvalue())


def test_a_png_with_appended_html_is_stored_without_it(report, operator_a, media):
    original = image_bytes("PNG")
    evidence = evidence_add(report=report, user=operator_a, upload=upload("foto.png", original + HTML))
    content = stored(evidence)
    assert HTML not in content and b"<html" not in content
    assert evidence.size == len(content)
    with Image.open(io.BytesIO(content)) as image, Image.open(io.BytesIO(original)) as before:
        assert image.format == "PNG"
        assert image.convert("RGB").tobytes() == before.convert("RGB").tobytes()


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "foto.jpg"), ("PNG", "foto.png")])
def test_exif_is_stripped_from_images(report, operator_a, media, fmt, name):
    original = image_bytes(fmt, exif=True)
    with Image.open(io.BytesIO(original)) as before:
        assert len(before.getexif()) > 0, "the test image carries EXIF"
    evidence = evidence_add(report=report, user=operator_a, upload=upload(name, original))
    content = stored(evidence)
    assert b"Kamera Uji" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == fmt
        assert len(image.getexif()) == 0
        assert image.size == (40, 30)


def test_a_truncated_jpeg_is_refused(report, operator_a, media):
    whole = image_bytes("JPEG")
    message = refusal(report, operator_a, "foto.jpg", whole[: len(whole) // 2])
    assert message == "Berkas 'foto.jpg' ditolak: gambar JPEG rusak, terpotong atau tidak dapat dibaca."
    assert not Evidence.objects.exists()


def test_a_png_with_a_broken_chunk_is_refused(report, operator_a, media):
    content = bytearray(image_bytes("PNG"))
    content[40] ^= 0xFF  # inside the IDAT chunk: its CRC no longer matches
    assert "rusak" in refusal(report, operator_a, "foto.png", bytes(content))


def test_a_png_named_jpg_is_refused(report, operator_a, media):
    assert "tidak sesuai dengan ekstensinya" in refusal(report, operator_a, "foto.jpg", image_bytes("PNG"))


def test_a_fake_pdf_uploaded_on_the_page_is_a_message_not_a_500(client_for, operator_a, report, media):
    url = reverse("reporting:evidence-upload", args=[report.pk])
    response = client_for(operator_a).post(url, {"file": upload("bukti.pdf", b"%PDF-1.4\n" + HTML), "description": ""})
    assert response.status_code == 200
    assert "isinya bukan PDF yang utuh" in response.content.decode()
    assert not Evidence.objects.exists()
