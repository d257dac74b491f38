r"""Results files of a batch job, one record per input row: JSONL, CSV or Parquet.

A record is a dict: ``key``, ``status``, ``run_id``, ``input``, ``output``, ``error``
(``{"message": ...}``), ``basis`` (with ``include_basis``) and ``attempts``; a missing key
means None. JSONL holds each record whole, as ``json.dumps(record, ensure_ascii=False)`` and a
newline. CSV and Parquet hold it in the columns of a :class:`ResultsLayout`, in this order:

1. the input: one column per input field, named as the field; or one ``input`` column when
   the input is a string (``input_columns`` is None);
2. the output: ``output.<field>`` per output field, in schema order; or one ``output`` column
   (``output_fields`` is None);
3. with ``include_basis``: per output field, ``basis.<field>.confidence`` and
   ``basis.<field>.citations`` (a JSON array of the citations' URLs); with no output fields,
   one ``basis`` column (the whole basis as JSON text);
4. ``status``, ``error`` (the error's message);
5. ``key``, ``run_id``, ``attempts`` (the earlier attempts as JSON text).

An input field named ``input``, ``output``, ``basis``, ``status``, ``error``, ``key``,
``run_id`` or ``attempts``, or whose name starts with ``input.``, ``output.`` or ``basis.``, is
in the column ``input.<field>``: no two columns share a name, and a header reads back as
exactly one layout. Output fields that the layout does not name are not written (JSONL keeps
everything).

Cells: strings as they are; None, and an empty basis or attempts list, as an empty cell (CSV) or
null (Parquet); numbers and booleans as their JSON text in CSV; objects and arrays as compact
JSON text. In Parquet, an ``output.<field>`` column whose JSON type is string, integer, number
or boolean is a nullable string, int64, float64 or bool column (so a number reads back as a
float), and a value of another type is an error naming the row and the column; every other
column is a nullable string column. The layout is also kept in the Parquet schema's metadata
(``parallel_taskgroup.layout``), rows are in row groups of at most 10,000.

Every CSV record is one physical line, so a write torn by a crash shows by its missing
newline: in string cells (and the header) a backslash is written ``\\``, a newline ``\n``, a
carriage return ``\r`` and NUL ``\0``; JSON text has none of them raw and is left as it is. A
lone surrogate, which UTF-8 cannot hold, stays a ``\u`` escape in JSONL and becomes U+FFFD in
CSV and Parquet.

Read back, JSONL gives each record exactly as written. CSV and Parquet give ``key``,
``status``, ``run_id`` and ``error`` (``{"message": ...}``) exactly, and rebuild the input, the
output (None when all its cells are empty), the basis (each field's confidence and citation
URLs) and the attempts from their columns: escapes are undone and JSON text is decoded where
it was written. In input and untyped output columns a cell that is exactly the compact JSON
of a number, boolean, object or array reads back as that value (the string ``"42"`` as 42), and
in CSV an empty cell reads back as None (so an empty ``run_id`` or error message as none).
"""

from __future__ import annotations

from .append import ResultsAppender
from .layout import FORMATS, ResultsLayout, columns, results_format, tabular_row
from .read import read_records
from .write import write_results

__all__ = [
    "FORMATS",
    "ResultsAppender",
    "ResultsLayout",
    "columns",
    "read_records",
    "results_format",
    "tabular_row",
    "write_results",
]
