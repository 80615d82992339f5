"""A streaming XLSX writer for big plain sheets: text, numbers, dates, bold rows.

Written by hand for one reason, measured in benchmarks/reconcile.py: a month of
Alipay lines is ~1.7 million cells, and XlsxWriter (constant-memory mode) spends
~8 µs on each — 12.6 s of a 30 s budget before any database work — where a row
written here as one string costs ~1 µs a cell. rustpy-xlsxwriter is as fast but
writes only header-plus-records sheets, not the summary's stacked tables.

Each sheet streams to its own temporary file (memory stays flat whatever the
rows) and the package is zipped on close. Amounts are written from their
Decimal, digit for digit: no float on the way.
"""

import math
import re
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone
from django.utils.translation import gettext as _

from core.cleaning import visible_text

# Style ids, in the order of the cellXfs in STYLES.
PLAIN, BOLD, MONEY, MONEY_BOLD, WHEN, DAY = range(6)
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="0.00"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>\
<numFmt numFmtId="166" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6">\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
EXCEL_EPOCH = datetime(1899, 12, 30)
MAX_ROWS = 1_048_576
# Excel's rules for a sheet's name: at most 31 characters, none of these, not
# starting or ending with an apostrophe, unique regardless of case.
TITLE_LENGTH = 31
NOT_IN_TITLE = re.compile(r"[\[\]:*?/\\]")


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text_cell(reference: str, value: str, style: int) -> str:
    text = escape(visible_text(value))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{reference}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'


class Sheet:
    """One worksheet, written row after row (a row once written is on disk, not in memory)."""

    def __init__(self, title: str, headers=(), widths=()):
        self.title = title
        self.row = 0
        self.frozen = bool(headers)
        self.widths = list(widths)
        self.rows = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.letters: list[str] = []
        if headers:
            self.append(headers, bold=True)

    def _letter(self, column: int) -> str:
        while len(self.letters) <= column:
            self.letters.append(column_letters(len(self.letters)))
        return self.letters[column]

    def append(self, values, *, bold: bool = False) -> None:
        """Text as text (never a formula), Decimal as money (0.00), other numbers
        as numbers (NaN and infinities as their text), booleans as booleans,
        datetimes (aware ones in local time) and dates as dates, anything else as
        its text; None leaves the cell empty."""
        self.row += 1
        if self.row > MAX_ROWS:
            raise ValueError(
                _("A spreadsheet sheet holds at most %(rows)s rows: choose a shorter period.") % {"rows": f"{MAX_ROWS:,}"}
            )
        row = self.row
        cells = []
        for column, value in enumerate(values):
            if value is None:
                continue
            reference = f"{self._letter(column)}{row}"
            style = f' s="{BOLD}"' if bold else ""
            if isinstance(value, bool):
                cells.append(f'<c r="{reference}"{style} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, Decimal) and value.is_finite():
                cells.append(f'<c r="{reference}" s="{MONEY_BOLD if bold else MONEY}"><v>{value:f}</v></c>')
            elif isinstance(value, (int, float)) and math.isfinite(value):
                cells.append(f'<c r="{reference}"{style}><v>{value!r}</v></c>')
            elif isinstance(value, datetime):
                local = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
                serial = (local - EXCEL_EPOCH).total_seconds() / 86400
                cells.append(f'<c r="{reference}" s="{WHEN}"><v>{serial!r}</v></c>')
            elif isinstance(value, date):
                cells.append(f'<c r="{reference}" s="{DAY}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>')
            else:
                cells.append(_text_cell(reference, str(value), BOLD if bold else PLAIN))
        self.rows.write(f'<row r="{row}">{"".join(cells)}</row>')

    def write_to(self, package: zipfile.ZipFile, name: str) -> None:
        with package.open(name, "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'.encode())
            if self.frozen:
                part.write(
                    b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                    b'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                )
            if self.widths:
                columns = "".join(
                    f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>' for n, width in enumerate(self.widths, 1)
                )
                part.write(f"<cols>{columns}</cols>".encode())
            part.write(b"<sheetData>")
            self.rows.seek(0)
            while chunk := self.rows.read(1 << 20):
                part.write(chunk.encode())
            part.write(b"</sheetData></worksheet>")
        self.rows.close()


class Workbook:
    """Sheets in the order they were added; ``close()`` writes the file to
    ``output`` (a path or a binary file, which need not be seekable)."""

    def __init__(self, output):
        self.output = output
        self.sheets: list[Sheet] = []

    def sheet(self, title, headers=(), widths=()) -> Sheet:
        """A new sheet; its title made one Excel accepts (see TITLE_LENGTH) and unique in the workbook."""
        sheet = Sheet(self._title(str(title)), [str(header) for header in headers], widths)
        self.sheets.append(sheet)
        return sheet

    def _title(self, wanted: str) -> str:
        base = NOT_IN_TITLE.sub("_", visible_text(wanted)).strip().strip("'")[:TITLE_LENGTH] or _("Sheet")
        taken = {sheet.title.casefold() for sheet in self.sheets}
        title, number = base, 1
        while title.casefold() in taken or title.casefold() == "history":  # Excel reserves "History"
            number += 1
            suffix = f" ({number})"
            title = base[: TITLE_LENGTH - len(suffix)] + suffix
        return title

    def close(self) -> None:
        count = len(self.sheets)
        with zipfile.ZipFile(self.output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
            package.writestr("[Content_Types].xml", self._content_types(count))
            package.writestr(
                "_rels/.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
                f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            )
            sheets = "".join(
                f'<sheet name={quoteattr(sheet.title)} sheetId="{n}" r:id="rId{n}"/>' for n, sheet in enumerate(self.sheets, 1)
            )
            package.writestr(
                "xl/workbook.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
                f"<sheets>{sheets}</sheets></workbook>",
            )
            links = "".join(
                f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, count + 1)
            )
            links += f'<Relationship Id="rId{count + 1}" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
            package.writestr(
                "xl/_rels/workbook.xml.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
                f"{links}</Relationships>",
            )
            package.writestr("xl/styles.xml", STYLES)
            for n, sheet in enumerate(self.sheets, 1):
                sheet.write_to(package, f"xl/worksheets/sheet{n}.xml")

    @staticmethod
    def _content_types(count: int) -> str:
        sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>' for n in range(1, count + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        )
