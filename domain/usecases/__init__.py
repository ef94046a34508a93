"""The use cases: what happens (sync a shop, connect, reauthorize, rerun), in terms of ports."""
