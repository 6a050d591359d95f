# Vigie: `make run` sets everything up and runs the demo; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck pytest bench bench-fleet demo clean browser prometheus

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# The daemon creates the demo shop on first start (with a progress bar); the API and the
# dashboard start beside it. Ctrl-C stops all three.
run: $(STAMP)
	@mkdir -p data
	$(BIN)/python collector_daemon.py & echo $$! > data/daemon.pid; \
	$(BIN)/python -m monitor.api & echo $$! > data/api.pid; \
	trap 'kill $$(cat data/daemon.pid) $$(cat data/api.pid) 2>/dev/null' EXIT INT TERM; \
	$(BIN)/streamlit run app.py --server.address 127.0.0.1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's Chromium (no download from Playwright's CDN).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q chromium >/dev/null \
		|| { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }

# The Prometheus tests scrape Vigie with Debian's Prometheus server and lint it with its promtool
# (policy-rc.d keeps the package from starting a server of its own on port 9090).
PROMETHEUS ?= /usr/bin/prometheus
prometheus:
	@test -x $(PROMETHEUS) || { echo "installing Debian's prometheus for the Prometheus tests"; \
		export DEBIAN_FRONTEND=noninteractive; \
		test -e /usr/sbin/policy-rc.d || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
			chmod +x /usr/sbin/policy-rc.d; trap 'rm -f /usr/sbin/policy-rc.d' EXIT; }; \
		apt-get install -y -q --no-install-recommends prometheus >/dev/null \
		|| { apt-get update -q >/dev/null \
			&& apt-get install -y -q --no-install-recommends prometheus >/dev/null; }; }

# Two at a time, a test file to a worker (its module fixtures built once): most tests wait on
# a server, a daemon or a sleep, so two run in about two thirds of the time of one.
pytest: $(STAMP) browser prometheus
	$(BIN)/pytest -q -n 2 --dist loadfile

test: lint typecheck pytest

# A fleet's PostgreSQL store (needs the local PostgreSQL; drops and makes vigie_fleet_bench).
bench-fleet: $(STAMP)
	$(BIN)/python bench/fleet_bench.py

# Benchmarks, on demand (not part of `make test`); the API one needs wrk (apt-get install wrk).
bench: $(STAMP) browser
	$(BIN)/python bench/store_bench.py
	$(BIN)/python bench/insights_bench.py
	$(BIN)/python bench/calibration_bench.py
	$(BIN)/python bench/dashboard_bench.py
	$(BIN)/python bench/api_bench.py
	$(BIN)/python bench/safety_bench.py
	$(BIN)/python bench/notify_bench.py
	$(BIN)/python bench/availability_bench.py
	$(BIN)/python bench/report_bench.py

clean:
	rm -rf $(VENV) data test-artifacts
