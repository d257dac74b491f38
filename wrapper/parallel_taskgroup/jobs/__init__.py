"""The batch job behind ``taskgroup run``, as library code: ``inputs`` (rows from JSONL, JSON or
CSV files) -> ``runner`` (one group, exactly-once submission, results as runs finish) ->
``records`` and ``outputs`` (one results line per row), with ``state`` making it resumable and
``specs`` turning schema files into a task spec."""
