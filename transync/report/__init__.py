"""The report layer: one renderer per output format, shared by every reporting command (``output``)."""
