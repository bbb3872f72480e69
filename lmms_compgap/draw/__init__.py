"""Deterministic drawing helpers shared by the task families (fonts, colours, text layout)."""
