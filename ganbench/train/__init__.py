"""Training one model: the loop (loop), run settings (config), the training split (data), real batches
(batches), the GPU fast path (fast) and what a run writes for people (log)."""
