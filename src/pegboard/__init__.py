"""pegboard: make-to-order manufacturing planning."""

__version__ = "0.1.0"
