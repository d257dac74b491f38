"""One input row of a job (:class:`Row`: its position among rows, its source line, its value),
the values a row may hold (``RowValue``: a JSON object or a string, checked by ``_row_value``)
and how its text is decoded (:func:`check_encoding`: any encoding that keeps ASCII as is, so
that lines are found in the bytes; a UTF-8 byte order mark is skipped; ``_decode`` names the
line and byte an undecodable line fails at)."""

from __future__ import annotations

import codecs
from typing import Any, NamedTuple, Optional, Union

from ..errors import ConfigurationError, InputError

RowValue = Union[str, dict[str, Any]]


class Row:
    """One input row: its 1-based position among rows, its source line, and its value."""

    __slots__ = ("line", "number", "value")

    def __init__(self, number: int, line: int, value: RowValue) -> None:
        self.number = number
        self.line = line
        self.value = value

    def __repr__(self) -> str:
        return f"Row(number={self.number}, line={self.line})"


def _row_value(path: str, line: int, value: Any, *, unit: str = "line") -> RowValue:
    if isinstance(value, (dict, str)):
        return value
    kind = "null" if value is None else type(value).__name__
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, (int, float)):
        kind = "number"
    elif isinstance(value, list):
        kind = "array"
    raise InputError(
        f"{path}, {unit} {line}: each row must be a JSON object or a string, got {kind}"
    )


_BOM = codecs.BOM_UTF8
_UTF8 = ("utf-8", "utf-8-sig")
_ASCII_PROBE = "\t\n\r \"',;:|[]{}azAZ09-./\\"


class _Encoding(NamedTuple):
    codec: str
    """The codec decoding the text (plain UTF-8 for either UTF-8; the BOM is skipped apart)."""
    label: str
    """How messages name it."""
    utf8: bool


def check_encoding(encoding: str) -> str:
    """The codec name of ``encoding`` (``"utf-8"``, ``"cp1252"``...). Raises ConfigurationError
    for an unknown encoding or one that does not keep ASCII as is (UTF-16, UTF-32, EBCDIC):
    lines and delimiters are found in the bytes."""
    try:
        name = codecs.lookup(encoding).name
        ascii_as_is = name in _UTF8 or _ASCII_PROBE.encode(name) == _ASCII_PROBE.encode("ascii")
    except (LookupError, ValueError, TypeError):
        raise ConfigurationError(
            f"unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)"
        ) from None
    if not ascii_as_is:
        raise ConfigurationError(
            f"encoding {encoding!r} is not supported for input: input encodings must keep ASCII "
            "as is (utf-8, cp1252, latin-1...); convert the file first, e.g. "
            f"iconv -f {encoding} -t UTF-8"
        )
    return name


def _encoding(encoding: str) -> _Encoding:
    codec = check_encoding(encoding)
    utf8 = codec in _UTF8
    return _Encoding("utf-8" if utf8 else codec, "UTF-8" if utf8 else encoding, utf8)


def _undecodable(
    path: str, line: int, enc: _Encoding, head: bytes, byte: Optional[int] = None
) -> InputError:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        hint = (
            "the file starts with a UTF-16 byte order mark: convert it to UTF-8 first, "
            "e.g. iconv -f UTF-16 -t UTF-8"
        )
    else:
        hint = "if the file has another encoding, pass it with --encoding (e.g. cp1252, latin-1)"
    at = f" (byte {byte} of the line)" if byte is not None else ""
    return InputError(f"{path}, line {line}: not valid {enc.label}{at}; {hint}")


def _decode(path: str, line_no: int, raw: bytes, enc: _Encoding) -> str:
    """One line's text; an undecodable byte is an InputError naming the line and the byte."""
    skipped = 3 if line_no == 1 and enc.utf8 and raw.startswith(_BOM) else 0
    try:
        return raw[skipped:].decode(enc.codec)
    except UnicodeDecodeError as exc:
        raise _undecodable(path, line_no, enc, raw, skipped + exc.start + 1) from None
