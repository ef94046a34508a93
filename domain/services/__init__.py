"""Use cases: what the flows call. Each takes ports, never builds adapters."""
