"""The `temuship` command: each command parses, calls one use case, prints."""
