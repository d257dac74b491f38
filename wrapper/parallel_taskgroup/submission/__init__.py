"""Exactly-once submission of rows as runs, in the order data flows: ``keys`` and ``limits``
(what a row's key is, what the API accepts) -> ``prepare`` (rows to encoded run inputs) ->
``batches`` (inputs to request bodies) -> ``pacing`` and ``sender`` (POSTs under the rate
limit) -> ``reconcile`` (the group's own record, when an outcome is unknown), with ``journal``
keeping what was sent durable and ``submit`` running the whole job."""
