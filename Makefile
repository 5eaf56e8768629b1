# LGNet — the front door. `make run` starts everything; `make test` runs every test.
# Both install what is missing first (uv, the Python environment, the pinned Kafka and
# Keycloak artifacts), so nothing has to be set up by hand.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
OASDIFF_VERSION := v1.37.0
OASDIFF := $(TOOLS)/bin/oasdiff
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
export PYTHONPATH := $(CURDIR)
RUN := $(UV) run --frozen

.PHONY: help install run run-postgres down test test-fast test-integration lint format bench migration kafka-lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	@echo "▶ installing uv $(UV_VERSION) into $(TOOLS)"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

# The OpenAPI breaking-change check (tests/unit/gateway/test_openapi_contract.py), built from the
# Go module proxy: about 2.5 minutes the first time, cached after.
$(OASDIFF): | $(UV)
	@echo "▶ installing oasdiff $(OASDIFF_VERSION) into $(TOOLS)"
	@GOBIN=$(CURDIR)/$(TOOLS)/bin go install github.com/oasdiff/oasdiff@$(OASDIFF_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	@echo "▶ python environment (uv sync)"
	@$(UV) sync --frozen --quiet
	@touch $@

install: .venv/.synced ## install what is missing (uv, Python deps, Kafka and Keycloak artifacts)
	@$(RUN) python -m deploy.local fetch

run: install ## start the whole platform (SQLite files under var/run); Ctrl-C stops it
	@$(RUN) python -m deploy.local run

run-postgres: install ## the same on an embedded PostgreSQL
	@$(RUN) python -m deploy.local run --postgres

down: ## stop anything a previous run or test session left behind
	@if [ -x $(UV) ]; then $(RUN) python -m deploy.local down; fi

test: install $(OASDIFF) ## every test: unit (the import rules among them), then integration and e2e against real Kafka, Keycloak, PostgreSQL
	@$(RUN) pytest

test-fast: .venv/.synced $(OASDIFF) ## unit tests only (no servers)
	@$(RUN) pytest tests/unit -q

lint: .venv/.synced ## ruff, mypy --strict, and the import rules (lint-imports)
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@$(RUN) mypy --strict kit services gateway deploy tests bench
	@$(RUN) lint-imports --no-cache

format: .venv/.synced ## apply ruff's fixes and formatting
	@$(RUN) ruff check --fix .
	@$(RUN) ruff format .

bench: install ## benchmarks (print their figures; see bench/README.md)
	@$(RUN) python -m bench

migration: .venv/.synced ## new Alembic migration: make migration SERVICE=intake MSG="add x"
	@test -n "$(SERVICE)" -a -n "$(MSG)" || { echo "usage: make migration SERVICE=intake MSG=\"...\""; exit 2; }
	@$(RUN) python -m kit.migrations revision services/$(SERVICE) "$(MSG)"

kafka-lock: .venv/.synced ## re-resolve deploy/kafka/pom.xml with Maven and rewrite its lock
	@$(RUN) python -m deploy.local.kafka lock

clean: down ## remove local state (keeps the download cache)
	rm -rf var/run var/test
