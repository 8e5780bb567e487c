"""The lambang daerah uploaded for the kop surat: accepted only as PNG or SVG, and made harmless on the way in.

An SVG is XML that a renderer may execute or fetch from: scripts, ``on*`` event handlers, ``foreignObject``
(embedded HTML), and references to other files or hosts (``href``, ``url(…)``, ``@import``) are removed, and
entities/DTDs are never resolved. A PNG is decoded and re-encoded with Pillow, which drops every chunk that is
not pixels (text, metadata, trailing data) and refuses files that are not images or are absurdly large.
"""

from __future__ import annotations

import io
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4096 * 4096
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

# Elements that run code, embed another document or pull one in; removed with everything inside them.
FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "audio",
    "video",
    "handler",
    "listener",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "animatecolor",
}
_URL_IN_CSS = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)[^)]*\)|@import|expression\s*\(|javascript:", re.IGNORECASE)
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]+$")


def _local(tag) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _safe_reference(value: str) -> bool:
    """Only references inside the document (#id) or inline raster images are kept."""
    value = value.strip()
    return value.startswith("#") or bool(_SAFE_DATA_IMAGE.match(value))


def sanitise_svg(data: bytes) -> bytes:
    """The SVG without scripts, event handlers, foreignObject and external references (raises on non-SVG)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError(_("Berkas SVG lambang tidak dapat dibaca.")) from exc
    if _local(root.tag) != "svg":
        raise ValidationError(_("Berkas lambang bukan SVG."))
    for node in list(root.iter()):
        if node is root:
            continue
        if not isinstance(node.tag, str):  # comments, processing instructions
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
            continue
        if _local(node.tag) in FORBIDDEN_ELEMENTS:
            node.getparent().remove(node)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for name in list(node.attrib):
            local = etree.QName(name).localname.lower()
            value = node.attrib[name]
            if (
                local.startswith("on")
                or local in ("href", "src")
                and not _safe_reference(value)
                or _URL_IN_CSS.search(value)
            ):
                del node.attrib[name]
        if _local(node.tag) == "style" and node.text and _URL_IN_CSS.search(node.text):
            node.text = _URL_IN_CSS.sub("none", node.text)
        if _local(node.tag) == "image" and not any(etree.QName(a).localname == "href" for a in node.attrib):
            node.getparent().remove(node)
    # Serialising the parsed tree drops the DOCTYPE and its internal subset (entity definitions).
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def reencode_png(data: bytes) -> bytes:
    """The PNG decoded and written again (pixels only); raises when the file is not a PNG image."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != "PNG":
                raise ValidationError(_("Berkas lambang bukan PNG."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("Gambar lambang terlalu besar (maksimal 4096 × 4096 piksel)."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = image.convert("RGBA")
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many types for broken files; all mean the same to the admin
        raise ValidationError(_("Berkas PNG lambang rusak atau tidak dapat dibaca.")) from exc
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def clean_emblem(name: str, data: bytes) -> tuple[str, bytes]:
    """Check and clean an uploaded lambang: returns (extension, bytes to store)."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("Berkas lambang paling besar 2 MB."))
    head = data[:512].lstrip()
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", reencode_png(data)
    if head.startswith(b"<") and (b"<svg" in data[:4096] or name.lower().endswith(".svg")):
        return "svg", sanitise_svg(data)
    raise ValidationError(_("Lambang harus berupa berkas PNG atau SVG."))


def data_uri(extension: str, data: bytes) -> str:
    """The lambang inlined into the PDF's HTML, so WeasyPrint never has to fetch a file."""
    import base64

    mime = "image/svg+xml" if extension == "svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
