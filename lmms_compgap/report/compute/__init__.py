"""What the report computes from item scores: no file is read or written here, and nothing is laid out."""
