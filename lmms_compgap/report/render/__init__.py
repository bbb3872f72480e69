"""How the report shows its numbers: Markdown and CSV tables, plots, the leaderboard page; user strings literal."""
