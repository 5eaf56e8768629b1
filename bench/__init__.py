"""Benchmarks that print their figures (no timed assertions): ``python -m bench [names...]``.

Each benchmark starts what it needs on a claimed test profile (or, for ``startup``, the run
profile in a temporary state folder), prints a block of figures on stdout and stops everything
it started. See bench/README.md for what each one measures and its target.
"""

BENCHMARKS: tuple[str, ...] = (
    "outbox_throughput",
    "end_to_end_latency",
    "startup",
    "candidate_search",
    "batch_sync",
    "read_concurrency",
    "consumer_throughput",
    "case_list",
    "handover_burst",
    "matching_solver",
    "housing_matching",
    "initiatives_programme",
    "initiatives_registration",
    "observatory_suppression",
    "observatory_replay",
)
