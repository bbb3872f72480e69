"""Reporting: gap statistics and attribution, tables and plots, submissions, verification, the leaderboard."""
