# One entry point for people and CI alike: .ci/run and .github/workflows call these targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
UV = $(shell source scripts/tools.sh && tool uv)
PYTEST_WORKERS ?= 2
export UV_PYTHON_DOWNLOADS := never

.PHONY: help install run test test-app lint fmt schemathesis bench check-k8s check-terraform \
        check-container check-workflows container-test services demo-catalog fake-tmdb clean rehearse

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(VENV)/.synced: pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed as '$(PYTHON)'"; exit 1; }
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced ## Create .venv from uv.lock (installs uv itself under .tools/)

run: install ## Run the service on the embedded defaults at http://127.0.0.1:8000 (docs at /docs)
	APP_ENV=$${APP_ENV:-local} $(VENV)/bin/gunicorn -c python:netflix_clone.gunicorn_conf \
	  --bind 127.0.0.1:$${PORT:-8000} netflix_clone.wsgi:app

services: ## Make sure PostgreSQL and Redis answer on 127.0.0.1 (starts them when installed here)
	@scripts/ensure-services.sh

test-app: install services ## The Python test suite only (SQLite and PostgreSQL, Redis, fakes)
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not infra" $(PYTEST_ARGS)

test: install services ## The whole test suite: app, schemathesis, manifests, terraform, workflows
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install ## ruff (lint + format check) and mypy --strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: install ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schemathesis: install services ## Fuzz the API against its own /openapi.json (fixed seed)
	$(VENV)/bin/pytest -p no:randomly tests/contract/test_schemathesis.py $(PYTEST_ARGS)

bench: install services ## Benchmarks under gunicorn (prints figures, writes bench/results/)
	$(VENV)/bin/python bench/run_all.py

check-k8s: ## Render, schema-validate and checkov the Kubernetes overlays
	scripts/check-k8s.sh

check-terraform: ## terraform fmt/validate/test (offline mirror) and checkov
	scripts/check-terraform.sh

rehearse: install ## terraform apply of bootstrap and envs/dev against a local AWS emulator (moto)
	scripts/rehearse.sh

check-container: ## hadolint and checkov on the Dockerfile
	scripts/check-container.sh

check-workflows: ## actionlint and zizmor on .github/workflows
	scripts/check-workflows.sh

container-test: install services ## Build the image for real and run it read-only as non-root
	scripts/container-test.sh

demo-catalog: ## Rebuild the bundled demo catalog from ../shared/tmdb recordings
	$(PYTHON) scripts/build_demo_catalog.py

fake-tmdb: install ## Run the fake TMDB server on 127.0.0.1:8765 (key printed at start)
	$(VENV)/bin/python -m devtools.fake_tmdb --host 127.0.0.1 --port 8765

clean: ## Remove the virtualenv, tool envs, caches and the local database
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache instance
