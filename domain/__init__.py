"""temuship's rules: the order and token aggregates, the status table, the state machines,
the ports the adapters implement and the use cases the flows call. No I/O lives here."""
