"""core.files opens a file only when given its path, and then closes it:
read to the end, abandoned half way or refused, no handle is left for the
garbage collector (which would say so with a ResourceWarning). A file the
caller opened stays open, back at its start, for the caller to close."""

import io

import pytest

from core.files import FileProblem, estimate_rows, header_names, opened_binary, read_rows
from tests.handles import no_file_left_open


@pytest.fixture
def csv_path(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text("sku,on hand\nTEA-001,5\nTEA-002,7\n", encoding="utf-8")
    return path


def test_read_rows_of_a_path_closes_the_file_once_read(csv_path):
    with no_file_left_open():
        rows = list(read_rows(csv_path, required=("sku",)))
    assert [row.cells["sku"] for row in rows] == ["TEA-001", "TEA-002"]


def test_read_rows_of_a_path_closes_the_file_when_abandoned_half_way(csv_path):
    with no_file_left_open():
        rows = read_rows(csv_path, required=("sku",))
        assert next(rows).cells["sku"] == "TEA-001"
        rows.close()


def test_read_rows_of_a_path_closes_the_file_it_refuses(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("name\nx\n", encoding="utf-8")
    with no_file_left_open(), pytest.raises(FileProblem):
        list(read_rows(path, required=("sku",)))


def test_header_names_and_estimate_rows_of_a_path_close_the_file(csv_path):
    with no_file_left_open():
        assert header_names(csv_path) == ["sku", "onhand"]
        assert estimate_rows(csv_path) == 3


def test_a_file_the_caller_opened_stays_open_at_its_start(csv_path):
    with csv_path.open("rb") as binary:
        assert header_names(binary) == ["sku", "onhand"]
        assert not binary.closed and binary.tell() == 0
        assert len(list(read_rows(binary))) == 2
        with opened_binary(binary) as same:
            assert same is binary
        assert not binary.closed and binary.tell() == 0


def test_bytes_are_read_as_a_file():
    with opened_binary(b"sku\nA\n") as binary:
        assert isinstance(binary, io.BytesIO) and binary.read() == b"sku\nA\n"
