"""knowledge package (see README)."""
