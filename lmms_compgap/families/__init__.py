"""Task families, one package each (generation, drawing, prompts, scoring, data check and task card)."""
