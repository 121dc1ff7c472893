"""The benchmark grid: planning and checking it (plan), one (model, seed) cell (cell), evaluating a checkpoint
(evaluate), running cells in worker processes (execute), the whole run (grid) and what it leaves behind
(report)."""
