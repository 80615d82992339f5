"""What a reader reports while it reads: how far it got through its main file
(the batch's progress bar) and each file's header as the file spells it (the
rejected-rows file uses the platform's own column names)."""


class ReadProgress:
    def __init__(self):
        self.rows = 0
        self.headers: dict[str, list[str]] = {}

    def header_of(self, file_name: str):
        """An ``on_header`` callback for files.read_rows."""

        def remember(cells: list[str]) -> None:
            self.headers[file_name] = list(cells)

        return remember
