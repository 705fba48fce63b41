"""`python -m evals eval ...` / `python -m evals bench ...` (see evals/cli.py)."""

from evals.cli import main

if __name__ == "__main__":
    main(prog_name="python -m evals")
