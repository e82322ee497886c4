"""Files to text: .txt, .docx, .pdf (with a text layer) and .ofd.

Heavy libraries (python-docx and its lxml, pypdf) are imported inside the functions so
that the app does not load them at start.  Old binary formats (.doc, .wps) are refused
with the advice to save the file as .docx or PDF.
"""

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree

from .errors import ImportRefused

MAX_BYTES = 30 * 1024 * 1024


def read_document(filename: str, data: bytes) -> str:
    """The text of an uploaded document, one paragraph (or table row) per line."""
    if not data:
        raise ImportRefused("empty")
    if len(data) > MAX_BYTES:
        raise ImportRefused("too_large")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in ("txt", "text", "md", "csv"):
        return read_txt(data)
    if ext == "docx":
        return read_docx(data)
    if ext == "pdf":
        return read_pdf(data)
    if ext == "ofd":
        return read_ofd(data)
    if ext in ("doc", "wps", "wpt", "dot", "rtf", "et"):
        raise ImportRefused("save_as_docx")
    raise ImportRefused("unsupported_type", ext or filename)


def read_txt(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030 (which covers GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportRefused("unreadable_encoding") from exc


def read_docx(data: bytes) -> str:
    """Paragraphs and table rows in document order; a row's cells are joined by " | "."""
    try:
        import docx  # python-docx; loads lxml, so only here
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a broken or renamed file
        raise ImportRefused("bad_docx") from exc
    out: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells, last = [], None
                for cell in row.cells:
                    if cell._tc is last:  # a merged cell repeats
                        continue
                    last = cell._tc
                    cells.append(" ".join(p.text.strip() for p in cell.paragraphs).strip())
                out.append(" | ".join(cells) + " |")
    return "\n".join(out)


def read_pdf(data: bytes) -> str:
    """The text layer of a PDF; a scan (no text) is refused."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise ImportRefused("bad_pdf") from exc
    text = "\n".join(pages)
    if len(re.sub(r"\s+", "", text)) < 10:
        raise ImportRefused("pdf_no_text")
    return text


_OFD_NS = "{http://www.ofdspec.org/2016}"


def read_ofd(data: bytes) -> str:
    """The text of an OFD file (GB/T 33190): TextCode elements of each page, grouped into
    lines by their vertical position.  Stdlib only; fonts and layout are ignored."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        root = ElementTree.fromstring(z.read("OFD.xml"))
        doc_root = root.find(f".//{_OFD_NS}DocRoot").text.strip().lstrip("/")
        document = ElementTree.fromstring(z.read(doc_root))
        base = posixpath.dirname(doc_root)
        pages = [
            posixpath.normpath(posixpath.join(base, p.get("BaseLoc").lstrip("/")))
            for p in document.iter(f"{_OFD_NS}Page")
        ]
        out = []
        for page in pages:
            out.extend(_ofd_page_lines(ElementTree.fromstring(z.read(page))))
    except ImportRefused:
        raise
    except Exception as exc:
        raise ImportRefused("bad_ofd") from exc
    text = "\n".join(out)
    if not text.strip():
        raise ImportRefused("ofd_no_text")
    return text


def _ofd_page_lines(page) -> list[str]:
    pieces = []
    for obj in page.iter(f"{_OFD_NS}TextObject"):
        box = [float(x) for x in (obj.get("Boundary") or "0 0 0 0").split()]
        for code in obj.iter(f"{_OFD_NS}TextCode"):
            y = box[1] + float(code.get("Y") or 0)
            x = box[0] + float(code.get("X") or 0)
            pieces.append((round(y, 0), x, code.text or ""))
    pieces.sort()
    lines: list[str] = []
    last_y = None
    for y, _x, t in pieces:
        if last_y is not None and abs(y - last_y) <= 1:
            lines[-1] += t
        else:
            lines.append(t)
        last_y = y
    return lines
