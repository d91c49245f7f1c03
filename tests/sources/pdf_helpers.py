"""A tiny PDF writer for tests: real, valid PDFs with Helvetica text (no extra dependencies).

Each page is a list of lines drawn top-down; a page given as None draws only a line (no
text), like a scanned page. pypdf re-encodes them for the encrypted variants.
"""

from __future__ import annotations

import io


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1") + b")"


def build_pdf(pages: list[list[str] | None], *, title: str | None = None,
              subject: str | None = None) -> bytes:
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    pages_id = add(b"")  # filled in once the page ids are known
    page_ids = []
    for lines in pages:
        if lines is None:
            ops = [b"0 0 m 300 300 l S"]
        else:
            ops = [b"BT", b"/F1 11 Tf", b"14 TL", b"72 740 Td"]
            ops += [_pdf_string(line) + b" Tj T*" for line in lines]
            ops.append(b"ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id, font, content)))
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info_items = b""
    if title is not None:
        info_items += b" /Title " + _pdf_string(title)
    if subject is not None:
        info_items += b" /Subject " + _pdf_string(subject)
    info = add(b"<< /Producer (paperpath tests)" + info_items + b" >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, catalog, info, xref))
    return bytes(out)


def encrypt_pdf(data: bytes, user_password: str, owner_password: str | None = None) -> bytes:
    """The same PDF, RC4-encrypted (pypdf does RC4 without the cryptography package)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


ARXIV_PAPER = [
    ["arXiv:2403.01234v2 [cs.LG] 14 Mar 2024",
     "Tiny Experts Are Enough for Sparse Routing",
     "Ada Lovelace, Alan Turing",
     "Abstract",
     "We show that tiny experts route well. Code: https://github.com/example/tiny-experts"],
    ["1 Introduction",
     "Mixture-of-experts models learn a repre-",
     "sentation per expert.",
     "References",
     "[1] A. Vaswani et al. Attention is all you need. arXiv:1706.03762, 2017."],
]

PLAIN_PAPER = [
    ["Published as a conference paper at ICLR 2024",
     "Learning to Forget Gracefully",
     "Grace Hopper",
     "grace@example.org",
     "DOI: 10.5555/forget.2024.17",
     "We study forgetting in continual learning (see also doi 10.9999/other.1 in [3])."],
]
