"""Background work: requests enqueue, a worker runs (RQ on Redis), or, with no Redis
configured (the embedded demo), the work runs in-process right after the commit."""
