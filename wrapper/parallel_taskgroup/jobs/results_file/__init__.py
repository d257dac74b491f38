r"""Results files of a batch job, one record per input row: JSONL, CSV or Parquet.

**Formats**, by the file's extension (:func:`results_format`): ``.jsonl`` or ``.ndjson``
(JSONL), ``.csv``, ``.parquet`` or ``.pq``, and gzip-compressed ``.jsonl.gz`` (or
``.ndjson.gz``) and ``.csv.gz``; any other extension, or none, is refused with the list (a
Parquet file is compressed inside: no ``.parquet.gz``). JSONL and CSV files are appended to as
runs finish (:func:`appendable`); Parquet and gzip files are written whole.

A record is a dict: ``key``, ``status``, ``run_id``, ``group_id`` (when known), ``input``,
``output``, ``error`` (``{"message": ...}``), ``basis`` (with ``include_basis``) and
``attempts``; a missing key means None. JSONL holds each record whole, as
``json.dumps(record, ensure_ascii=False)`` and a newline. CSV and Parquet hold it in the
columns of a :class:`ResultsLayout`, in this order:

1. the input: one column per input field, named as the field; or one ``input`` column when
   the input is a string (``input_columns`` is None);
2. the output: ``output.<field>`` per output field, in schema order; or one ``output`` column
   (``output_fields`` is None);
3. with ``include_basis``: per output field, ``basis.<field>.confidence`` and
   ``basis.<field>.citations`` (the citations' URLs, an array); with no output fields, one
   ``basis`` column (the whole basis);
4. ``status``, ``error`` (the error's message);
5. ``key``, ``run_id``, ``group_id``, ``attempts`` (the earlier attempts, an array).

An input field named ``input``, ``output``, ``basis``, ``status``, ``error``, ``key``,
``run_id``, ``group_id`` or ``attempts``, or whose name starts with ``input.``, ``output.`` or
``basis.``, is in the column ``input.<field>``: no two columns share a name, and a header reads
back as exactly one layout. Output fields that the layout does not name are not written (JSONL
keeps everything).

**CSV** is RFC 4180, UTF-8 without a BOM: comma-separated cells, the header first, each record
ending in a newline (LF). A cell holding a comma, a quote, a carriage return or a newline is
quoted, its quotes doubled; newlines and carriage returns inside a cell are written as they
are, and nothing is escaped otherwise. Cells: None is an empty cell, a string is written as it
is; CSV has no types, so a number or boolean is its JSON text (``12``, ``2.5``, ``true``) and
an object or array (the basis, citations, attempts, an input or output value) its compact JSON
text. Python's ``csv`` module reads each cell's text back exactly, and so does
``pandas.read_csv(path, dtype=str, keep_default_na=False)`` (with its defaults, pandas parses
numbers and reads an empty cell, or one like ``NA``, as NaN; its default C parser cuts a cell
at a NUL character, which ``engine="python"`` keeps). A record can span several lines, so a
newline ends a record only where the count of quotes since the start of the file is even: a
write torn by a crash leaves a last record without its newline, or with an odd count of
quotes, which :class:`ResultsAppender` cuts on open and :func:`read_records` ignores.

**Parquet** keeps JSON types, each column's type found from the values written: integers as
int64, floats as float64 (a column of integers and floats is float64: its integers read back
as floats), booleans as bool, strings as string, arrays as lists when their elements are of
one type, objects as structs when they all have the same keys; nested objects as structs, or
as JSON text where the type varies: a column whose values are of mixed JSON types (an integer
and a string, objects of different keys, an array of mixed elements, an empty object, an
integer over 2**53 among floats, one beyond int64) holds each value's compact JSON text (a
string too, quoted), marked in the column's field metadata (``parallel_taskgroup.encoding``
is ``json``). The key, status, run and group ids, error message and confidences are strings;
the basis, citations and attempts are typed like any value, or JSON text. Every column is
nullable; one that holds no value is typed by the output schema's type for that field, else
string. The layout is kept in the schema's metadata (``parallel_taskgroup.layout``), rows are
in row groups of at most 10,000. ``pyarrow.parquet.read_table(path).to_pylist()`` gives the
values as written, and so does ``pandas.read_parquet(path, dtype_backend="pyarrow")`` (pandas'
default backend reads an integer column with a null as float64, and lists as numpy arrays).

A lone surrogate, which UTF-8 cannot hold, stays a ``\u`` escape in JSONL and becomes U+FFFD
in CSV and Parquet.

**Read back** (:func:`read_records`), JSONL gives each record exactly as written. CSV and
Parquet give ``key``, ``status``, ``run_id``, ``group_id`` and ``error`` (``{"message": ...}``)
exactly, and rebuild the input, the output (None when all its cells are empty), the basis
(each field's confidence and citation URLs) and the attempts from their columns. Parquet gives
every value back as written (integers in a float64 column as floats). CSV decodes the JSON
text it wrote; in input and output columns a cell that is exactly the compact JSON of a number,
boolean, object or array reads back as that value (the string ``"42"`` as 42, ``"true"`` as
True, ``"[]"`` as []), any other cell as its text, and an empty cell as None (the empty string
too, and so an empty ``run_id`` or error message as none).
"""

from __future__ import annotations

from .append import ResultsAppender
from .formats import FORMATS, appendable, results_format
from .layout import ResultsLayout, columns, tabular_row
from .read import read_records
from .reorder import reorder_lines
from .write import writable_format, write_results

__all__ = [
    "FORMATS",
    "ResultsAppender",
    "ResultsLayout",
    "appendable",
    "columns",
    "read_records",
    "reorder_lines",
    "results_format",
    "tabular_row",
    "writable_format",
    "write_results",
]
