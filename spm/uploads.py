"""Uploaded documents checked by their content, not only their extension (magic bytes, then the structure).

A file must be what it claims: the first bytes decide the type (magic bytes), then the structure is parsed —
pypdf must open a PDF and find at least one page, Pillow must decode a PNG or JPEG completely. Images are
re-encoded before they are stored, so whatever rode along (bytes appended after the image, EXIF with the
camera's location, text chunks) is dropped; the EXIF orientation is applied first, so photos stay upright.
Every upload of a document goes through :func:`checked_upload`: the evidence of a report
(``reporting.services.evidence``) and the SK of the Tim Penerapan SPM (``targets.services.team``).
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# extension -> content type; the content must match (sniff_content_type)
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff_content_type(head: bytes, file) -> str | None:
    """The real type of a file from its first bytes (and, for xlsx, its zip directory)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return ALLOWED_TYPES[".xlsx"]
    return None


# An image decoded to more pixels than this is refused (a small file can expand to gigabytes of pixels).
EVIDENCE_MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


def _refused(name: str, reason: str) -> ValidationError:
    return ValidationError({"file": _("Berkas '%(name)s' ditolak: %(reason)s") % {"name": name, "reason": reason}})


def check_pdf(file, name: str) -> None:
    """A PDF that pypdf can open, with at least one page (a file that only starts with ``%PDF`` is not one)."""
    from pypdf import PdfReader

    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise _refused(name, _("PDF terkunci kata sandi tidak dapat diperiksa. Unggah PDF tanpa kata sandi."))
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many types for a broken file; all mean "not a readable PDF"
        logger.info("evidence PDF refused: %s", type(exc).__name__)
        raise _refused(name, _("isinya bukan PDF yang utuh dan tidak dapat dibuka.")) from None
    finally:
        file.seek(0)
    if pages < 1:
        raise _refused(name, _("PDF tidak memiliki halaman."))


def clean_image(file, name: str, content_type: str) -> bytes:
    """The image decoded completely by Pillow and encoded again in its own format, without anything but the
    pixels (no appended bytes, no EXIF, no text chunks)."""
    from PIL import Image, ImageOps

    expected = IMAGE_FORMATS[content_type]
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as probe:
                if probe.format != expected:
                    raise _refused(name, _("isinya bukan gambar %(kind)s.") % {"kind": expected})
                if probe.width * probe.height > EVIDENCE_MAX_PIXELS:
                    raise _refused(
                        name,
                        _("gambar %(w)s×%(h)s piksel terlalu besar.") % {"w": probe.width, "h": probe.height},
                    )
                probe.verify()  # structure and checksums (PNG chunks' CRC)
            file.seek(0)
            with Image.open(file) as image:
                image.load()  # every pixel: a truncated file fails here
                upright = ImageOps.exif_transpose(image)
                upright.info = {}
                out = io.BytesIO()
                if expected == "JPEG":
                    upright.save(out, format="JPEG", quality=90)
                else:
                    upright.save(out, format="PNG")
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many types for a broken file; all mean "not a whole image"
        logger.info("evidence image refused: %s", type(exc).__name__)
        raise _refused(
            name, _("gambar %(kind)s rusak, terpotong atau tidak dapat dibaca.") % {"kind": expected}
        ) from None
    finally:
        file.seek(0)
    return out.getvalue()


def checked_upload(upload: UploadedFile, *, allowed: dict[str, str] | None = None) -> tuple[str, str, object]:
    """An uploaded document checked by its content (extension allowed, size within ``EVIDENCE_MAX_BYTES``, magic
    bytes matching the extension, a PDF that opens, an image decoded and re-encoded): (name, content type,
    content to store). Shared by every upload of a document (evidence, the SK of the Tim Penerapan SPM)."""
    allowed = ALLOWED_TYPES if allowed is None else allowed
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    limit = settings.EVIDENCE_MAX_BYTES
    if extension not in allowed:
        if allowed is ALLOWED_TYPES:
            raise ValidationError({"file": _("Jenis berkas tidak diizinkan. Gunakan PDF, gambar (PNG/JPG) atau xlsx.")})
        raise ValidationError(
            {"file": _("Jenis berkas tidak diizinkan. Gunakan %(kinds)s.") % {"kinds": ", ".join(sorted(allowed))}}
        )
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("Ukuran berkas %(size)s MB melebihi batas %(limit)s MB.")
                % {"size": f"{upload.size / 1_048_576:.1f}".replace(".", ","), "limit": f"{limit / 1_048_576:.0f}"}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("Berkas kosong.")})
    upload.seek(0)
    head = upload.read(16)
    detected = sniff_content_type(head, upload)
    if detected != allowed[extension]:
        raise ValidationError(
            {
                "file": _("Isi berkas '%(name)s' tidak sesuai dengan ekstensinya %(extension)s; berkas ditolak.")
                % {"name": name, "extension": extension}
            }
        )
    content = upload
    if detected == "application/pdf":
        check_pdf(upload, name)
    elif detected in IMAGE_FORMATS:
        content = ContentFile(clean_image(upload, name, detected))
    upload.seek(0)
    return name, detected, content
