"""What the report reads and writes: lmms-eval output folders, installed data, JSON within limits, output folders."""
