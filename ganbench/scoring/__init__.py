"""The score pipeline: a scoring job checked (job) and planned once (plan), the reference side with its cache
(reference, reference_cache, shipping), the generated side (generated_inputs, cas_inputs, path_length), files on
disk (files), users' generators (user_generators, score_generator), and the real-vs-real floor (real_floor)."""
