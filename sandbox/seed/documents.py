"""Small, real documents (PDF, DOCX, plain text) for seeded attachments and library files.

Built by hand so the sandbox needs no document libraries, and byte-for-byte deterministic so
the same seed always yields the same files (and the same sizes in Graph responses).
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from xml.sax.saxutils import escape

__all__ = ["CONTENT_TYPES", "build_document", "docx_bytes", "paragraphs", "pdf_bytes", "txt_bytes"]

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
}


def paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line, inner whitespace collapsed."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def build_document(kind: str, title: str, text: str) -> bytes:
    builders = {"pdf": pdf_bytes, "docx": docx_bytes, "txt": txt_bytes}
    return builders[kind](title, text)


def txt_bytes(title: str, text: str) -> bytes:
    body = "\r\n\r\n".join(paragraphs(text))
    return f"{title}\r\n\r\n{body}\r\n".encode()


# -- PDF ------------------------------------------------------------------------------------

_PAGE_W, _PAGE_H, _MARGIN = 595, 842, 56  # A4 in points
_LEADING, _CHARS_PER_LINE = 14, 92  # 10 pt Helvetica fits ~92 average characters in 483 pt
_MAX_LINES = (_PAGE_H - 2 * _MARGIN - 40) // _LEADING


def _pdf_literal(text: str) -> str:
    """A PDF string literal body in WinAnsi: escape delimiters, octal for non-ASCII bytes."""
    out = []
    for byte in text.encode("cp1252", errors="replace"):
        if byte in b"()\\":
            out.append("\\" + chr(byte))
        elif byte < 32 or byte > 126:
            out.append(f"\\{byte:03o}")
        else:
            out.append(chr(byte))
    return "".join(out)


def _pdf_text_string(text: str) -> str:
    """An Info dictionary string: UTF-16BE with BOM, as hex, so any character survives."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _pdf_lines(text: str) -> list[str]:
    lines: list[str] = []
    for para in paragraphs(text):
        lines.extend(textwrap.wrap(para, _CHARS_PER_LINE) or [""])
        lines.append("")
    if len(lines) > _MAX_LINES:
        lines = lines[: _MAX_LINES - 1] + ["[…]"]
    return lines


def pdf_bytes(title: str, text: str) -> bytes:
    """A one-page PDF 1.4: bold title, wrapped body text, correct xref table."""
    ops = ["BT", "/F2 16 Tf", f"{_MARGIN} {_PAGE_H - _MARGIN - 16} Td"]
    ops += [f"({_pdf_literal(title)}) Tj", "/F1 10 Tf", f"{_LEADING} TL", "T*", "T*"]
    for line in _pdf_lines(text):
        ops += ["T*", f"({_pdf_literal(line)}) Tj"] if line else ["T*"]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_W} {_PAGE_H}] "
            "/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        f"<< /Title {_pdf_text_string(title)} /Producer (Zeeveen sandbox) >>".encode("ascii"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


# -- DOCX -----------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES_XML = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
_RELS_XML = (
    _XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)


def _docx_paragraph(text: str, *, heading: bool = False) -> str:
    props = '<w:rPr><w:b/><w:sz w:val="32"/></w:rPr>' if heading else ""
    return f'<w:p><w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx_bytes(title: str, text: str) -> bytes:
    """A minimal WordprocessingML package: the title in bold, then one paragraph per line."""
    body = _docx_paragraph(title, heading=True) + "".join(map(_docx_paragraph, paragraphs(text)))
    document = (
        f'{_XML}<w:document xmlns:w="{_W}"><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134"/></w:sectPr>'
        "</w:body></w:document>"
    )
    core = (
        _XML + "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>Gemeente Zeeveen</dc:creator>"
        "</cp:coreProperties>"
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES_XML),
        ("_rels/.rels", _RELS_XML),
        ("word/document.xml", document),
        ("docProps/core.xml", core),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, xml in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, xml.encode("utf-8"))
    return buffer.getvalue()
