"""Leaderboard submissions: the file format, building one from logged runs, and verifying one."""
