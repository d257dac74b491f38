"""Event streams, bottom up: ``sse`` (bytes -> raw events), ``events`` (raw -> typed events),
``stream`` (a resumable iterator over one group stream) and ``cursors`` (where a stream's
position is kept between processes)."""
