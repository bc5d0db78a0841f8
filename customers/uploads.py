"""Checking uploaded attachments: a whitelist of types, recognised by their content as well as their
extension, and a size limit. A file that fails is refused with a message naming it."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_SIZE = 10 * 1024 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc/.xls/.ppt and WPS files

# extension → (kind recognised from the content, content type the file is served with)
ALLOWED: dict[str, tuple[str, str]] = {
    "jpg": ("jpeg", "image/jpeg"), "jpeg": ("jpeg", "image/jpeg"), "png": ("png", "image/png"),
    "gif": ("gif", "image/gif"), "webp": ("webp", "image/webp"), "bmp": ("bmp", "image/bmp"),
    "heic": ("heic", "image/heic"),
    "pdf": ("pdf", "application/pdf"),
    "doc": ("ole2", "application/msword"), "xls": ("ole2", "application/vnd.ms-excel"),
    "ppt": ("ole2", "application/vnd.ms-powerpoint"),
    "wps": ("ole2", "application/octet-stream"), "et": ("ole2", "application/octet-stream"),
    "dps": ("ole2", "application/octet-stream"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "txt": ("text", "text/plain; charset=utf-8"),
}
OOXML_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    size: int
    content_type: str


def allowed_text() -> str:
    return _("Allowed: pictures (JPG, PNG, GIF, WebP, BMP, HEIC), PDF, Word, Excel, PowerPoint, WPS and text files.")


def _ooxml_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for kind, folder in OOXML_FOLDERS.items():
        if any(n.startswith(folder) for n in names):
            return kind
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def sniff(data: bytes, expected: str) -> bool:
    """Whether the content really is of the kind its extension claims."""
    head = data[:16]
    checks = {
        "jpeg": lambda: head[:3] == b"\xff\xd8\xff",
        "png": lambda: head[:8] == b"\x89PNG\r\n\x1a\n",
        "gif": lambda: head[:6] in (b"GIF87a", b"GIF89a"),
        "webp": lambda: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        "bmp": lambda: head[:2] == b"BM" and len(data) > 26,
        "heic": lambda: head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"),
        "pdf": lambda: data[:1024].lstrip()[:5] == b"%PDF-",
        "ole2": lambda: head[:8] == OLE2,
        "docx": lambda: head[:4] == b"PK\x03\x04" and _ooxml_kind(data) == "docx",
        "xlsx": lambda: head[:4] == b"PK\x03\x04" and _ooxml_kind(data) == "xlsx",
        "pptx": lambda: head[:4] == b"PK\x03\x04" and _ooxml_kind(data) == "pptx",
        "text": lambda: _is_text(data),
    }
    return checks[expected]()


def check_upload(upload) -> CheckedFile:
    """Refuse a file that is empty, too large, of a type not allowed or not what its name says."""
    name = os.path.basename(str(getattr(upload, "name", "") or "")).strip()[:200] or "file"
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": name})
    if size > MAX_SIZE:
        raise ValidationError(_("The file “%(name)s” is too large (%(size)s); a file may be at most %(max)s.") % {
            "name": name, "size": filesizeformat(size), "max": filesizeformat(MAX_SIZE)})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError(_("The file “%(name)s” is of a type that is not allowed. %(allowed)s") % {
            "name": name, "allowed": allowed_text()})
    kind, content_type = ALLOWED[ext]
    upload.seek(0)
    data = upload.read(MAX_SIZE + 1)
    upload.seek(0)
    if len(data) > MAX_SIZE:
        raise ValidationError(_("The file “%(name)s” is too large (%(size)s); a file may be at most %(max)s.") % {
            "name": name, "size": filesizeformat(len(data)), "max": filesizeformat(MAX_SIZE)})
    if not data or not sniff(data, kind):
        raise ValidationError(_("The file “%(name)s” is not a real .%(ext)s file (its content does not match its name).") % {
            "name": name, "ext": ext})
    return CheckedFile(upload=upload, name=name, size=len(data), content_type=content_type)
