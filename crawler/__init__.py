"""The crawler: GitHub API -> SQLite catalogue."""
