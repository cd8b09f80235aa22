"""`python -m councilcode` is the same as the `councilcode` command."""

from councilcode.cli import cli

if __name__ == "__main__":
    cli()
