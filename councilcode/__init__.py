"""councilcode: find reusable open-source code written by UK councils."""

__version__ = "0.1.0"
