"""Figures from result rows and kept samples: training curves, leaderboard bars, precision vs recall, samples,
and the memorization figure; `make.make_all` remakes every figure of a run."""
