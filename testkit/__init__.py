"""What tests/ and benchmarks/ share: real parts (a private redis-server, Celery worker
subprocesses, the app over HTTP), bundle builders, the labelled bundle corpus and synthetic
histories. A package of its own so that neither imports the other (benchmarks may not import
tests); not in the wheel."""
