"""The score pipeline: a scoring job planned and checked (job), the reference side with its cache (reference,
reference_cache, shipping), the generated side (generated), files on disk (files), users' generators
(generator_loading, generator_scoring), and the real-vs-real floor (real_floor)."""
