"""The repositories: domain aggregates to and from the tables, in bulk statements."""
