"""Publishing results: result rows (results), leaderboards across seeds with significance tests (leaderboard,
leaderboard_table, significance, labels) and figures (plots/)."""
