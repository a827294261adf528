"""Planning bundles: CSV/XLSX in and out (see bundle-format.md)."""
