"""What a reader reports while it reads: how far it got through its main file
(the batch's progress bar), each file's header as the file spells it (the
rejected-rows file uses the platform's own column names), and the rows whose
cells lost invisible characters (the preview says so)."""

CLEANED_LINES_SHOWN = 20


class ReadProgress:
    def __init__(self):
        self.rows = 0
        self.headers: dict[str, list[str]] = {}
        self.cleaned_rows = 0
        self.cleaned_lines: list[str] = []  # "file:line" of the first CLEANED_LINES_SHOWN

    def read(self, file_name: str, row) -> None:
        """Count a row of the main file (a files.Row)."""
        self.rows += 1
        if row.lost_invisible:
            self.cleaned_rows += 1
            if len(self.cleaned_lines) < CLEANED_LINES_SHOWN:
                self.cleaned_lines.append(f"{file_name}:{row.line}")

    def header_of(self, file_name: str):
        """An ``on_header`` callback for files.read_rows."""

        def remember(cells: list[str]) -> None:
            self.headers[file_name] = list(cells)

        return remember
