"""Reporting: the gap report, leaderboard submissions and their verification, and the leaderboard.

- `compute/`: numbers from item scores (statistics, the gap, attribution, slices, ranking, the leaderboard's
  estimates, the before/after fine-tuning comparison); no file is read or written, no table laid out.
- `render/`: how numbers are shown (Markdown and CSV tables, the report's Markdown, plots, the leaderboard
  page), every user string literal.
- `files/`: what is read and written (lmms-eval output folders, installed data, JSON within limits, the report
  and leaderboard folders, fine-tuning provenance).
- `submissions/`: the submission format, building one from logged runs, verifying one.
- `logs.py`: the logged runs as every part holds them; `commands.py`: the `compgap report | submit | verify |
  leaderboard` commands; `errors.py`: their errors; `simulate.py`: simulated runs for tests and demos.
"""
