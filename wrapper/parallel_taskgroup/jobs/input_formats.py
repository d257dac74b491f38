"""The readers of the three input formats, each yielding :class:`~.input_row.Row`s as a
stream: JSONL (a row a line), a JSON array (decoded element by element from a growing window
over the text, ``_TextCursor``) and CSV (a header, then a row a line). No line or array element
is held longer than the limit given, and every error is an InputError naming the file, the line
and what is wrong.

Text is decoded in the caller's encoding (:func:`~.input_row.check_encoding`), a line at a time
where lines are read, so that an undecodable byte is named by its line."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Generator, Iterator
from typing import IO, Any, Optional

from ..errors import ConfigurationError, InputError
from .input_row import Row, _decode, _Encoding, _encoding, _row_value, _undecodable

_CHUNK = 1 << 16


def _too_long(path: str, where: str, limit: int) -> InputError:
    return InputError(
        f"{path}, {where}: longer than {limit:,} bytes, far over what the API accepts for one "
        "run (25,000 characters); shorten or split it (or raise max_line_bytes)"
    )


def _lines(handle: IO[bytes], path: str, limit: int) -> Iterator[bytes]:
    """The lines of ``handle``, none held longer than ``limit`` bytes."""
    line_no = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            raise _too_long(path, f"line {line_no}", limit)
        yield raw


def _jsonl_rows(
    path: str, handle: IO[bytes], format_guessed: bool, limit: int, encoding: str
) -> Generator[Row, None, None]:
    enc = _encoding(encoding)
    number = 0
    for line_no, raw in enumerate(_lines(handle, path, limit), start=1):
        text = _decode(path, line_no, raw, enc).rstrip("\r\n")
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = ""
            if format_guessed and number == 0 and "," in text and text[:1] not in '{["':
                hint = "; if the input is CSV, pass --format csv"
            raise InputError(
                f"{path}, line {line_no}: invalid JSON ({exc.msg} at column {exc.colno}){hint}"
            ) from None
        number += 1
        yield Row(number, line_no, _row_value(path, line_no, value))


class _DecodedText:
    """The text of a byte stream, decoded as it is read; an undecodable byte is an InputError
    naming its line."""

    def __init__(self, handle: IO[bytes], path: str, enc: _Encoding) -> None:
        self._handle = handle
        self._path = path
        self._enc = enc
        self._decoder = codecs.getincrementaldecoder("utf-8-sig" if enc.utf8 else enc.codec)()
        self._newlines = 0

    def read(self, size: int) -> str:
        while True:
            raw = self._handle.read(size)
            try:
                text: str = self._decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                line = self._newlines + exc.object[: exc.start].count(b"\n") + 1
                head = exc.object[:2] if line == 1 else b""
                raise _undecodable(self._path, line, self._enc, head) from None
            self._newlines += text.count("\n")
            if text or not raw:
                return text


class _TextCursor:
    """A growing window over a text stream for incremental `raw_decode` parsing."""

    def __init__(self, stream: _DecodedText) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line number at self.pos
        self._counted_to = 0
        self._col_base = 0  # characters of the buffer's first line already dropped

    def fill(self, at_least: int = _CHUNK) -> bool:
        if self.eof:
            return False
        # Drop consumed text so memory stays bounded by the largest element.
        self._advance_lines()
        newline = self.buf.rfind("\n", 0, self.pos)
        self._col_base = self.pos - (newline + 1) + (self._col_base if newline < 0 else 0)
        self.buf = self.buf[self.pos :]
        self._counted_to -= self.pos
        self.pos = 0
        chunk = self.stream.read(max(at_least, _CHUNK))
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _advance_lines(self) -> None:
        if self.pos > self._counted_to:
            self.line += self.buf.count("\n", self._counted_to, self.pos)
            self._counted_to = self.pos

    def line_at_pos(self) -> int:
        self._advance_lines()
        return self.line

    def location(self) -> str:
        line = self.line_at_pos()
        newline = self.buf.rfind("\n", 0, self.pos)
        column = self.pos - (newline + 1) + (self._col_base if newline < 0 else 0) + 1
        return f"line {line}, column {column}"

    def skip_space(self) -> Optional[str]:
        """Skip whitespace; return the next character without consuming it (None at EOF)."""
        while True:
            n = len(self.buf)
            while self.pos < n and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < n:
                return self.buf[self.pos]
            if not self.fill():
                return None


def _json_array_rows(
    path: str, handle: IO[bytes], limit: int, encoding: str
) -> Generator[Row, None, None]:
    cur = _TextCursor(_DecodedText(handle, path, _encoding(encoding)))
    decoder = json.JSONDecoder()
    first = cur.skip_space()
    if first != "[":
        raise InputError(
            f"{path}, {cur.location()}: a .json input must be one JSON array of rows "
            "(use .jsonl for one row per line)"
        )
    cur.pos += 1
    number = 0
    expect_element = True
    while True:
        ch = cur.skip_space()
        if ch is None:
            raise InputError(f"{path}, {cur.location()}: the JSON array is not closed (']')")
        if ch == "]" and (number == 0 or not expect_element):
            cur.pos += 1
            break
        if not expect_element:
            if ch != ",":
                raise InputError(
                    f"{path}, {cur.location()}: expected ',' or ']' after array element"
                )
            cur.pos += 1
            expect_element = True
            continue
        line = cur.line_at_pos()
        value = _decode_element(path, cur, decoder, limit)
        number += 1
        yield Row(number, line, _row_value(path, line, value))
        expect_element = False
    if cur.skip_space() is not None:
        raise InputError(f"{path}, {cur.location()}: unexpected text after the JSON array")


def _decode_element(path: str, cur: _TextCursor, decoder: json.JSONDecoder, limit: int) -> Any:
    want = _CHUNK
    while True:
        try:
            value, end = decoder.raw_decode(cur.buf, cur.pos)
        except json.JSONDecodeError as exc:
            offset = exc.pos - cur.pos  # where the error is, from the element's start
            if len(cur.buf) - cur.pos > limit:
                raise _too_long(path, f"the array element at {cur.location()}", limit) from None
            if not cur.eof and cur.fill(want):
                want *= 2  # geometric growth keeps huge elements linear overall
                continue
            # A refill (even one that found the end) moved the element to the buffer's start.
            cur.pos += offset
            raise InputError(f"{path}, {cur.location()}: invalid JSON ({exc.msg})") from None
        # A number (or literal) ending exactly at the buffer edge may continue in the next chunk.
        if end >= len(cur.buf) and not cur.eof and cur.fill(want):
            continue
        if end - cur.pos > limit:
            raise _too_long(path, f"the array element at {cur.location()}", limit)
        cur.pos = end
        return value


def _text_lines(text: IO[str], path: str, limit: int) -> Iterator[str]:
    """The lines of ``text``, none held longer than ``limit`` characters."""
    line_no = 0
    while True:
        line = text.readline(limit + 1)
        if not line:
            return
        line_no += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise _too_long(path, f"line {line_no}", limit)
        yield line


def _csv_lines(
    handle: IO[bytes], path: str, limit: int, enc: _Encoding
) -> Generator[str, None, None]:
    """The decoded lines of a CSV file, ended by LF, CRLF or CR as the csv module expects, none
    held longer than ``limit`` bytes. Lines are found in the bytes (read as latin-1, a byte a
    character) and each is then decoded on its own, so an error names its line."""
    text = io.TextIOWrapper(handle, encoding="latin-1", newline="")
    try:
        for line_no, line in enumerate(_text_lines(text, path, limit), start=1):
            yield _decode(path, line_no, line.encode("latin-1"), enc)
    finally:
        text.detach()


def csv_delimiter(delimiter: Optional[str]) -> str:
    """The CSV delimiter for ``delimiter``: a comma for None, a tab for ``"\\t"`` or ``"tab"``
    (as typed on a command line), else the one character given (not a quote or a line break).
    Raises ConfigurationError for anything else."""
    if delimiter is None:
        return ","
    if delimiter in ("\\t", "tab", "TAB"):
        return "\t"
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise ConfigurationError(
            "the CSV delimiter must be one character other than a quote or a line break "
            f"(\\t for a tab), got {delimiter!r}"
        )
    return delimiter


class _CsvReader:
    """A CSV file's header and rows, each error naming its line."""

    def __init__(
        self, path: str, handle: IO[bytes], limit: int, encoding: str, delimiter: Optional[str]
    ) -> None:
        self.path = path
        self._lines = _csv_lines(handle, path, limit, _encoding(encoding))
        self._reader = csv.reader(self._lines, delimiter=csv_delimiter(delimiter))
        self._delimiter_given = delimiter is not None
        self.line = 0  # the line the record last read starts on

    def close(self) -> None:
        self._lines.close()

    def where(self) -> str:
        """Where the record last read is: its line, or the lines a quoted field spans (the
        usual cause of a record with too few fields is a quote never closed)."""
        end = self._reader.line_num
        if end == self.line:
            return f"line {self.line}"
        return (
            f"line {self.line} (a quoted field runs from there to line {end}: "
            "is a closing quote missing?)"
        )

    def next(self) -> Optional[list[str]]:
        self.line = self._reader.line_num + 1
        try:
            return next(self._reader, None)
        except csv.Error as exc:
            raise InputError(f"{self.path}, {self.where()}: invalid CSV ({exc})") from None

    def header(self) -> Optional[list[str]]:
        header = self.next()
        if header is not None:
            _check_header(self.path, header, self._delimiter_given)
        return header


def _csv_rows(
    path: str, handle: IO[bytes], limit: int, encoding: str, delimiter: Optional[str]
) -> Generator[Row, None, None]:
    reader = _CsvReader(path, handle, limit, encoding, delimiter)
    try:
        header = reader.header()
        if header is None:
            return
        number = 0
        while True:
            fields = reader.next()
            if fields is None:
                break
            if not fields:
                continue
            if len(fields) != len(header):
                raise InputError(
                    f"{path}, {reader.where()}: expected {len(header)} fields "
                    f"(as in the header), got {len(fields)}"
                )
            number += 1
            yield Row(number, reader.line, dict(zip(header, fields)))
    finally:
        reader.close()


def _csv_header(
    path: str, handle: IO[bytes], limit: int, encoding: str, delimiter: Optional[str]
) -> Optional[list[str]]:
    reader = _CsvReader(path, handle, limit, encoding, delimiter)
    try:
        return reader.header()
    finally:
        reader.close()


def _check_header(path: str, header: list[str], delimiter_given: bool) -> None:
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name.strip():
            raise InputError(f"{path}, line 1: column {index} of the header has no name")
        if name in seen:
            raise InputError(f"{path}, line 1: the header names column {name!r} twice")
        seen.add(name)
    if len(header) == 1 and not delimiter_given:
        other = next((c for c in ";\t|" if c in header[0]), None)
        if other is not None:
            raise InputError(
                f"{path}, line 1: the header is one column, {header[0]!r}; if the file is "
                f"separated by {other!r}, pass --delimiter {other!r} (--delimiter ',' to keep "
                "one column)"
            )
