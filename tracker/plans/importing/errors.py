"""The one error the importer raises, with a message catalogue keyed by reason.

The app translates these messages later; the keys are stable and are what callers test.
"""

MESSAGES = {
    "empty": "The file is empty.",
    "too_large": "The file is too large to import.",
    "unreadable_encoding": "The text file is neither UTF-8 nor GB18030 text.",
    "unsupported_type": "This kind of file cannot be imported. Use .txt, .docx, .pdf or .ofd.",
    "save_as_docx": "Old Word (.doc) and WPS (.wps) files cannot be read. "
    "Open the file and save it as .docx or PDF, then import that.",
    "bad_docx": "The .docx file could not be opened. Save it again as .docx or PDF.",
    "bad_pdf": "The PDF file could not be opened.",
    "pdf_no_text": "The PDF has no text layer (it is a scan). Import the Word version, "
    "or a PDF exported from Word.",
    "bad_ofd": "The OFD file could not be opened. Save it as PDF or .docx.",
    "ofd_no_text": "No text was found in the OFD file. Save it as PDF or .docx.",
}


class ImportRefused(Exception):
    """A document the importer cannot read; `key` names the reason (see MESSAGES)."""

    def __init__(self, key: str, detail: str | None = None):
        self.key = key
        self.detail = detail
        super().__init__(MESSAGES.get(key, key) + (f" ({detail})" if detail else ""))

    @property
    def message(self) -> str:
        return MESSAGES.get(self.key, self.key)
