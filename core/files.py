"""Platform files read as rows of clean text, streamed.

Every channel and settlement importer reads its file through ``read_rows``:
it finds the encoding, the delimiter and the header row, undoes the
spreadsheet tricks the platforms play on cells (``="123"`` text formulas,
leading ``'``, backticks, ``\\t``), and yields one ``Row`` per data line with
its line number, without ever holding the whole file in memory.

Encoding: a BOM wins; UTF-16 without a BOM is told by its zero bytes;
otherwise the file is UTF-8 if *all* of it decodes as strict UTF-8, else
GB18030 (a superset of GBK and GB2312). Guessing libraries (chardet,
charset-normalizer) look at a sample and can call a GBK file Big5 or a UTF-8
file Latin-1; this rule cannot, because no GBK text of Chinese characters is
valid UTF-8 (GOTCHAS 1). What the rule cannot tell by itself is checked
after it: a Shift-JIS, Big5 or Windows-1252 file decodes as GB18030 into rare
characters outside GB2312, and is refused (``FileProblem``) rather than read
as mojibake; so are images, archives and other binary files.

Cells lose the characters nobody means to see (core.cleaning: NUL, vertical
tab, direction overrides).
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cleaning import INVISIBLE, visible_text
from .errors import DomainError

CHUNK = 1 << 20
# Header rows are looked for this far into a file (Alipay puts 4 lines of "#" preamble first).
HEADER_SEARCH_ROWS = 30
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# Files people upload by mistake, by their first bytes.
BINARY_MAGIC = {
    b"\x89PNG": gettext_lazy("PNG image"),
    b"\xff\xd8\xff": gettext_lazy("JPEG image"),
    b"GIF8": gettext_lazy("GIF image"),
    b"%PDF": gettext_lazy("PDF document"),
    b"\x1f\x8b": gettext_lazy("gzip archive"),
    b"7z\xbc\xaf": gettext_lazy("7-Zip archive"),
    b"Rar!": gettext_lazy("RAR archive"),
}
SNIFF = 1 << 16  # bytes looked at to tell UTF-16 and binary files
# An XLSX is a zip: 1 MB can unpack to gigabytes. Sizes are checked on the zip's
# directory before anything is unpacked (zipfile never reads past a member's
# declared size). The sheets are streamed, but openpyxl holds every shared
# string and the other parts (workbook, styles) in memory.
XLSX_MAX_UNPACKED = 512 << 20  # a 100,000-order export with 40 columns is ~200 MB of sheet XML
XLSX_MAX_SHARED_STRINGS_BYTES = 64 << 20
XLSX_MAX_SHARED_STRINGS = 2_000_000  # ~60 bytes of memory each once read
XLSX_MAX_OTHER_PART = 16 << 20
_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# GBK text of Chinese is almost all in GB2312; Shift-JIS, Big5 and cp1252 bytes read as GB18030 are not.
GB2312_SHARE = 0.8
GB2312_EVIDENCE = 8  # double-byte characters needed before judging

csv.field_size_limit(16 * 1024 * 1024)  # a buyer's note may be long; a cell is never this long


class FileProblem(DomainError):
    """The file as a whole cannot be read (encoding, no header, missing columns)."""


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line (CSV) or row (XLSX) number in the file, for error reports
    cells: dict[str, str]  # normalised header -> cleaned text ("" when empty or absent)
    lost_invisible: bool = False  # characters nobody means to see were removed from its cells (core.cleaning)

    def get(self, *names: str) -> str:
        """The first non-empty cell among ``names`` (normalised header names)."""
        for name in names:
            value = self.cells.get(name, "")
            if value:
                return value
        return ""


# --- headers and cells ---------------------------------------------------------------------


_HEADER_NOISE = re.compile(r"[\s\"'`\ufeff]")


def normalise_header(name) -> str:
    """One spelling of a column name: full-width forms folded (NFKC), spaces,
    quotes, backticks and BOMs removed, lower case. ``"收货地址 "`` and
    ``收货地址``, ``收入金额（+元）`` and ``收入金额(+元)`` are the same column."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(name or ""))).lower()


_CELL_TRICKS = frozenset("='`")


def clean_cell(value) -> str:
    """Cell text as the seller typed it: ``="123"`` → ``123``, ``'138…`` → ``138…``,
    `` `abc`` → ``abc``, surrounding whitespace and tabs stripped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return _text_of_spreadsheet_value(value)
    text = visible_text(value).strip()
    if not text or (text[0] not in _CELL_TRICKS and "\ufeff" not in text):
        return text  # the common case, a plain cell: one scan, no copies
    text = text.replace("\ufeff", "").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.lstrip("'`").strip()
    return text


def _text_of_spreadsheet_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# --- values --------------------------------------------------------------------------------


_AMOUNT_NOISE = re.compile(r"[\s¥￥$€£,]|CNY|RMB|USD|EUR|元")
_PLAIN_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")


def parse_amount(text: str, *, decimal_comma: bool = False, blank=None) -> Decimal | None:
    """``"¥1,299.00"`` → ``Decimal("1299.00")``; ``"(5.00)"`` → ``-5.00``;
    ``decimal_comma``: ``"1.299,00"`` → ``1299.00`` (EU marketplaces).
    Empty text gives ``blank``; anything else that is not a number raises ValueError."""
    if text and not decimal_comma and _PLAIN_AMOUNT.fullmatch(text):
        return Decimal(text)  # "19.80", as most files write it: no normalising needed
    original = text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return blank
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    text = _AMOUNT_NOISE.sub("", text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(text)s” is not an amount.") % {"text": original}) from None
    if not amount.is_finite():
        raise ValueError(_("“%(text)s” is not an amount.") % {"text": original})
    return -amount if negative else amount


_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}):?(\d{2})$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d",
                 "%m/%d/%y", "%m/%d/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")


def parse_datetime(text: str, *, tz=None) -> datetime | None:
    """A platform timestamp as an aware datetime; ``None`` for empty text.

    Understands ISO 8601 with or without offset, ``2025-12-06 10:37:33 -0500``
    (Shopify), ``2012年12月29日 00:00:00`` (Alipay), ``2024/1/2 10:11``, a
    trailing ``UTC``, and ``MM/DD/YY`` (Amazon). A time without offset is in
    ``tz`` (default: the seller's TIME_ZONE). Raises ValueError otherwise."""
    zone = tz or timezone.get_default_timezone()
    if text and text.isascii() and text[:4].isdigit():
        try:  # "2026-03-01 08:00:00" or ISO 8601, as most files write it: no normalising needed
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    text = _CHINESE_DATE.sub(lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)
    if text.endswith(" UTC") or text.endswith(" GMT"):
        text, zone = text[:-4], ZoneInfo("UTC")
    text = _SPACED_OFFSET.sub(r"\1\2", text)
    parsed = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(_("“%(text)s” is not a date and time.") % {"text": text})
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def parse_quantity(text: str) -> int:
    """A positive whole number of units; ``"2.0"`` (spreadsheets) is 2."""
    if text and text.isascii() and text.isdigit() and int(text) > 0:
        return int(text)
    try:
        amount = parse_amount(text)
    except ValueError:
        amount = None
    if amount is None or amount != amount.to_integral_value() or amount <= 0:
        raise ValueError(_("“%(text)s” is not a quantity.") % {"text": text})
    return int(amount)


# --- files ---------------------------------------------------------------------------------


def _refuse_binary(head: bytes) -> None:
    for magic, kind in BINARY_MAGIC.items():
        if head.startswith(magic):
            raise FileProblem(
                _("This is a %(kind)s, not a CSV or XLSX file: upload the platform's export.") % {"kind": kind}
            )
    if head and len(_CONTROL_BYTES.findall(head)) > len(head) // 20:
        raise FileProblem(_("This is not a text file (CSV) or an XLSX spreadsheet: upload the platform's export."))


def _utf16_without_bom(head: bytes) -> str:
    """``utf-16-le`` or ``utf-16-be`` when zero bytes fill one side of the code units (ASCII
    delimiters, digits and header letters in UTF-16), else ""."""
    head = head[: len(head) // 2 * 2]
    if len(head) < 4:
        return ""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    units = len(head) // 2
    for encoding, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros and zeros >= units // 5 and others <= units // 50:
            try:
                head.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return ""


def _refuse_other_encodings(binary) -> None:
    """A file read as GB18030 whose double-byte characters are mostly outside GB2312 is
    in another encoding (Shift-JIS, Big5, Windows-1252): refused, naming the likely one."""
    sample = binary.read(CHUNK)
    binary.seek(0)
    text = sample.decode("gb18030", errors="ignore")
    double_byte = [char for char in set(text) if len(char.encode("gb18030")) == 2]
    if len(double_byte) < GB2312_EVIDENCE:
        return
    common = sum(1 for char in double_byte if _in_gb2312(char))
    if common >= GB2312_SHARE * len(double_byte):
        return
    candidates = [label for codec, label in (("shift_jis", "Shift-JIS"), ("big5", "Big5")) if _decodes(sample, codec)]
    raise FileProblem(
        _(
            "The file's text is neither UTF-8 nor GB18030 (GBK) Chinese: read so it gives rare characters "
            "(%(example)s…), as a file in %(encodings)s would. "
            "Save it as UTF-8 (Excel: “CSV UTF-8”) and upload it again."
        )
        % {
            "example": "".join(sorted(double_byte)[:6]),
            "encodings": " or ".join(candidates) or _("another encoding (Windows-1252, Shift-JIS, Big5)"),
        }
    )


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _decodes(data: bytes, codec: str) -> bool:
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(data)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(binary) -> str:
    """``utf-8-sig``, ``utf-16`` (a BOM), ``utf-16-le``/``-be`` (none) or ``gb18030`` for a
    seekable binary file; leaves it at the start. Raises FileProblem for a binary file,
    or text in an encoding these are not (see the module's docstring)."""
    binary.seek(0)
    head = binary.read(SNIFF)
    binary.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if utf16 := _utf16_without_bom(head):
        return utf16
    _refuse_binary(head)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        while chunk := binary.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"  # also strips a BOM that is not at byte 0 of the first chunk
    except UnicodeDecodeError:
        encoding = "gb18030"
    binary.seek(0)
    if encoding == "gb18030":
        _refuse_other_encodings(binary)
    return encoding


def _not_readable(encoding: str, line: int) -> FileProblem:
    return FileProblem(
        _(
            "The file is neither UTF-8 nor GB18030 (GBK) text: line %(line)s cannot be read as %(encoding)s. "
            "Save it as UTF-8 (Excel: “CSV UTF-8”) and upload it again."
        )
        % {"encoding": encoding, "line": line}
    )


def _csv_lines(binary, encoding: str, delimiter: str | None) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    if delimiter is None:
        try:
            first = text.readline()
        except UnicodeDecodeError as error:
            text.detach()
            raise _not_readable(encoding, 1) from error
        text.seek(0)
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(text, delimiter=delimiter)
    try:
        last_line = 0
        for cells in reader:
            yield last_line + 1, cells  # the line the record starts on; a quoted note may span several
            last_line = reader.line_num
    except UnicodeDecodeError as error:
        raise _not_readable(encoding, reader.line_num + 1) from error
    except csv.Error as error:
        raise FileProblem(_("Line %(line)s is not valid CSV: %(error)s") % {"line": reader.line_num, "error": error}) from error
    finally:
        if not binary.closed:  # a reader abandoned after its file was closed has nothing left to let go of
            text.detach()


def _count_tags(package: zipfile.ZipFile, name: str, tag: bytes, stop_after: int | None = None) -> int:
    """How many ``<tag>`` elements (under the namespace prefix the part uses, if any) a zip
    member holds, read in chunks; stops counting once past ``stop_after``. bytes.count
    does the counting: a regex making a match object per row is ten times slower."""
    count, tail, starts = 0, b"", ()
    with package.open(name) as member:
        while chunk := member.read(CHUNK):
            data = tail + chunk
            if not starts and (found := re.search(rb"<(\w+:)?" + tag + rb"[\s>/]", data)):
                opening = b"<" + (found[1] or b"") + tag
                starts = (opening + b" ", opening + b">", opening + b"/")
            cut = max(len(data) - 64, 0)  # a tag starting in the last bytes is counted with the next chunk
            count += sum(data.count(start) - data.count(start, cut) for start in starts)
            tail = data[cut:]
            if stop_after is not None and count > stop_after:
                return count
    return count + sum(tail.count(start) for start in starts)


def _open_xlsx(binary) -> zipfile.ZipFile:
    """The workbook's zip, after refusing one that would unpack to too much (a zip bomb)."""
    binary.seek(0)
    try:
        package = zipfile.ZipFile(binary)
        members = package.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise FileProblem(_("The spreadsheet cannot be opened: %(error)s") % {"error": error}) from error
    too_big = _("The spreadsheet unpacks to more than %(size)s MB (%(part)s); split it into smaller files.")
    total = 0
    for member in members:
        total += member.file_size
        name = member.filename.lower()
        if name.startswith("xl/worksheets/"):
            limit = XLSX_MAX_UNPACKED
        elif name == "xl/sharedstrings.xml":
            limit = XLSX_MAX_SHARED_STRINGS_BYTES
        else:
            limit = XLSX_MAX_OTHER_PART
        if member.file_size > limit or total > XLSX_MAX_UNPACKED:
            package.close()
            size = (limit if member.file_size > limit else XLSX_MAX_UNPACKED) >> 20
            raise FileProblem(too_big % {"size": size, "part": member.filename})
    shared = next((member.filename for member in members if member.filename.lower() == "xl/sharedstrings.xml"), None)
    if shared and _count_tags(package, shared, b"si", XLSX_MAX_SHARED_STRINGS) > XLSX_MAX_SHARED_STRINGS:
        package.close()
        raise FileProblem(
            _("The spreadsheet has more than %(count)s different texts; split it into smaller files.")
            % {"count": f"{XLSX_MAX_SHARED_STRINGS:,}"}
        )
    binary.seek(0)
    return package


def _count_xlsx_rows(binary) -> int:
    """The rows of the workbook's first worksheet (openpyxl's ``worksheets[0]``), counted in
    its XML: a sheet's ``<dimension>`` may be missing or wrong, and decides nothing here."""
    from openpyxl.reader.excel import ExcelReader

    _open_xlsx(binary).close()
    try:
        reader = ExcelReader(binary, read_only=True)
    except Exception as error:  # zipfile errors of a damaged workbook
        raise FileProblem(_("The spreadsheet cannot be opened: %(error)s") % {"error": error}) from error
    try:
        reader.read_manifest()
        reader.read_workbook()  # the workbook part only: sheets' names and places, no texts
        path = next(rel.target for _sheet, rel in reader.parser.find_sheets() if rel.Type.endswith("/worksheet"))
        return _count_tags(reader.archive, path, b"row")
    except Exception as error:  # XML errors of a damaged workbook, or one without a worksheet
        raise FileProblem(_("The spreadsheet cannot be opened: %(error)s") % {"error": error}) from error
    finally:
        reader.archive.close()
        binary.seek(0)


def _xlsx_lines(binary) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook  # only XLSX uploads pay for importing it

    _open_xlsx(binary).close()
    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as error:  # zipfile / XML errors of a damaged workbook
        raise FileProblem(_("The spreadsheet cannot be opened: %(error)s") % {"error": error}) from error
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


@contextmanager
def opened_binary(source) -> Iterator[io.BufferedIOBase]:
    """A seekable binary file for a path, bytes or an (uploaded) file object,
    for the length of a ``with`` block. A file opened here (from a path) is
    closed at its end; a file object the caller passed stays open, back at its
    start, for the caller to close."""
    if isinstance(source, (str, Path)):
        binary = open(source, "rb")  # noqa: SIM115 - closed below
    elif isinstance(source, bytes):
        binary = io.BytesIO(source)
    elif hasattr(source, "open") and not hasattr(source, "read"):
        binary = source.open("rb")
    else:
        binary = source
    try:
        if binary.seekable():
            binary.seek(0)
        yield binary
    finally:
        if binary is not source:
            binary.close()
        elif not binary.closed and binary.seekable():
            binary.seek(0)


@contextmanager
def _raw_lines(source, delimiter: str | None = None) -> Iterator[tuple[Iterator[tuple[int, list]], Callable]]:
    """The file's (line number, raw cells), and how to clean a row of that kind of file."""
    with opened_binary(source) as binary:
        head = binary.read(8)
        binary.seek(0)
        if not head:
            raise FileProblem(_("The file is empty."))
        if head.startswith(XLS_MAGIC):
            raise FileProblem(_("This is an old Excel 97–2003 (.xls) file; save it as .xlsx or CSV and upload that."))
        if head.startswith(XLSX_MAGIC):
            lines, clean_row = _xlsx_lines(binary), _clean_any_row
        else:
            lines, clean_row = _csv_lines(binary, detect_encoding(binary), delimiter), _clean_text_row
        # The reader lets go of the file (detaches its text wrapper, closes its workbook) before the file closes.
        with closing(lines):
            yield lines, clean_row


def header_names(source, *, skip: Callable[[list[str]], bool] | None = None) -> list[str]:
    """The normalised names of the file's first non-empty row (its header, for
    most files), to tell which of several files is which. Reads only that far."""
    with _raw_lines(source) as (lines, _clean_row):
        for _number, raw in lines:
            cells = [clean_cell(value) for value in raw]
            if any(cells) and not (skip and skip(cells)):
                return [normalise_header(cell) for cell in cells]
        return []


def estimate_rows(source) -> int:
    """About how many rows the file has (lines of a CSV, rows of the first
    sheet), without parsing it: decides whether an import runs in the background."""
    with opened_binary(source) as binary:
        head = binary.read(8)
        binary.seek(0)
        if head.startswith(XLSX_MAGIC):
            return _count_xlsx_rows(binary)
        count, last = 0, b""
        while chunk := binary.read(CHUNK):
            count += chunk.count(b"\n")
            last = chunk
        return count + (1 if last and not last.endswith(b"\n") else 0)


# A cell of a stripped row starting with a spreadsheet trick (=, ', `): cells are joined by \x1f to find one.
_QUIRK_START = re.compile("(?:^|\x1f)[='`]")


def _clean_text_row(raw: list[str]) -> list[str]:
    """clean_cell for every cell of a CSV row, fast for the common row: cells
    with nothing to undo but surrounding spaces (a big file has millions of
    cells; the checks run in C over the whole row)."""
    stripped = list(map(str.strip, raw))
    joined = "\x1f".join(stripped)
    if "\ufeff" in joined or INVISIBLE.search("".join(stripped)):
        return [clean_cell(value) for value in raw]
    if _QUIRK_START.search(joined) is None:
        return stripped
    return [clean_cell(value) if value and value[0] in "='`" else value for value in stripped]


def _clean_any_row(raw: list) -> list[str]:
    """A spreadsheet row: numbers, dates and empty cells as well as text."""
    return [clean_cell(value) for value in raw]


def _refuse_repeated_columns(names: list[str], cells: list[str]) -> None:
    """A column named twice would be read from one of the two, silently: which one is meant is for the clerk to say."""
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if name and name in first:
            raise FileProblem(
                _(
                    "The column “%(column)s” is in the header twice (columns %(first)s and %(second)s); "
                    "remove or rename one and upload the file again."
                )
                % {"column": cells[index], "first": first[name] + 1, "second": index + 1}
            )
        first.setdefault(name, index)


def read_rows(
    source,
    *,
    required: tuple[str, ...] = (),
    delimiter: str | None = None,
    skip: Callable[[list[str]], bool] | None = None,
    stop: Callable[[list[str]], bool] | None = None,
    on_header: Callable[[list[str]], None] | None = None,
) -> Iterator[Row]:
    """The data rows of a CSV/TSV/XLSX file, by header name.

    The header is the first row (within HEADER_SEARCH_ROWS) that holds every
    ``required`` column; lines before it are preamble. ``skip(cells)`` drops a
    line (``#`` comments, blank lines are always dropped); ``stop(cells)`` ends
    the data (a summary block). Header names are normalised (normalise_header);
    ``on_header(cells)`` is told the header row as the file spells it.
    Raises FileProblem when the file is empty, unreadable or lacks a column.
    """
    wanted = [normalise_header(name) for name in required]
    header, best_missing = None, list(required)
    with _raw_lines(source, delimiter) as (lines, clean_row):
        for number, raw in lines:
            cells = clean_row(raw)
            if not any(cells) or (skip and skip(cells)):
                continue
            if header is None:
                names = [normalise_header(cell) for cell in cells]
                missing = [label for label, name in zip(required, wanted, strict=True) if name not in names]
                if not missing:
                    _refuse_repeated_columns(names, cells)
                    header = names
                    if on_header:
                        on_header(["" if value is None else str(value).replace("\ufeff", "") for value in raw])
                elif len(missing) < len(best_missing):
                    best_missing = missing
                if header is None and number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if stop and stop(cells):
                return
            yield Row(
                number,
                dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)),
                INVISIBLE.search("".join(value for value in raw if isinstance(value, str))) is not None,
            )
    if header is None:
        if wanted and len(best_missing) < len(required):
            raise FileProblem(
                _("The file lacks the required columns: %(columns)s.") % {"columns": ", ".join(best_missing)}
            )
        raise FileProblem(
            _("No header row with the columns %(columns)s was found; is this the right file for this format?")
            % {"columns": ", ".join(required) or _("of a header")}
        )


def comment_line(cells: list[str]) -> bool:
    """Alipay's ``#`` preamble and footer lines."""
    return cells[0].startswith("#")
