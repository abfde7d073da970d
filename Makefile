# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: serve test lint format openapi bench-history bench-wild bench-feedback bench-load bench-probes bench-probe-cost redis-server nginx chromium bubblewrap clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever the dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[all,test]"
	touch $(STAMP)

# The bench extra on top: scikit-learn, for benchmarks that generate their data from its sets, and
# py-spy, for `bench_load --profile`.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[all,test,bench]"
	touch $(BENCH_STAMP)

serve: $(STAMP)
	$(BIN)/convdiag serve

# The tests start their own private redis-server; install Debian's when it is missing.
redis-server:
	@command -v redis-server >/dev/null || { \
		echo "installing redis-server (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# The proxy tests run deploy/nginx.conf with Debian's nginx; install it when it is missing
# (/usr/sbin is not on every user's PATH).
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
		echo "installing nginx-light (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

# The report and docs tests open pages in headless Chromium (the docs tests through Selenium and
# chromedriver); install Debian's when they are missing.
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		echo "installing chromium and chromedriver (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null; }

# Every bundle is probed inside bubblewrap (convdiag/sandbox.py), which refuses bundles where it
# is missing; install Debian's when it is missing.
bubblewrap:
	@command -v bwrap >/dev/null || { \
		echo "installing bubblewrap (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }

test: $(STAMP) redis-server nginx chromium bubblewrap
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: $(STAMP)
	$(BIN)/python scripts/export_openapi.py

# Accuracy of the history engine on the labelled corpus in tests/corpus/histories, and its speed.
bench-history: $(STAMP)
	$(BIN)/python -m benchmarks.bench_history

# The engine on the real logs in tests/corpus/wild (tuning split; the held-out third needs
# ARGS="--split holdout --i-am-scoring-the-holdout-once" and is scored once per round).
bench-wild: $(STAMP)
	$(BIN)/python -m benchmarks.bench_wild $(ARGS)

# What users said about their verdicts (POST /v1/jobs/{id}/feedback), read from the configured
# job store as a labelled set, and the current engine scored on it.
bench-feedback: $(STAMP)
	$(BIN)/python -m benchmarks.bench_feedback $(ARGS)

# The API and a worker as docker-compose runs them, on a private Redis, under 16 clients for 60 s,
# then a bare FastAPI app under the same load; ARGS passes options (ARGS="--clients 32").
bench-load: $(STAMP) redis-server
	$(BIN)/python -m benchmarks.bench_load $(ARGS)

# The bundle probes on a corpus generated into a temp dir (testkit/bundle_corpus.py): causes
# named per split, false alarms on healthy bundles, per-code precision/recall, time per bundle
# (367 bundles in tests/corpus/bundles/manifest.json; ~7 s each on 2 cores, about 45 min). ARGS
# passes options (ARGS="--split tuning" for tune + seen, what tuning may look at; a fresh holdout,
# a third, is "--split holdout" when a round has written one).
bench-probes: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.bench_probes $(ARGS)

# The whole probe suite on a 936k-parameter MLP with 10k samples, and its ratio to a plain
# model.fit of as many optimizer steps (~4 min on 2 cores).
bench-probe-cost: $(STAMP)
	$(BIN)/python -m benchmarks.bench_probe_cost $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
