"""evals package (see README)."""
