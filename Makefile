# One entry point for people and CI alike: .ci/run and .github/workflows call these targets.
# Every install says so: `make run` and `make install` create virtualenvs from uv.lock (uv itself
# goes under .tools/, pinned and hash-checked); `make test` first installs what it is missing
# (Debian packages through scripts/install-system-deps.sh, the checkers under .tools/) and names
# what it cannot install; `make deps` installs all of it up front.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
# `make run` serves from its own environment: runtime dependencies only (no pytest, mypy, ...).
RUN_VENV := .venv-run
UV = $(shell source scripts/tools.sh && tool uv)
PYTEST_WORKERS ?= 2
PYTEST = $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --durations=15
export UV_PYTHON_DOWNLOADS := never

.PHONY: help deps tools prereqs prereqs-app install install-run run demo test test-app faults lint \
        fmt schemathesis bench check-k8s check-terraform check-container check-workflows \
        container-test services demo-catalog fake-tmdb clean rehearse

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

python-version:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed as '$(PYTHON)' (or: make PYTHON=python3.11 ...)"; exit 1; }

$(VENV)/.synced: pyproject.toml uv.lock
	@$(MAKE) --no-print-directory python-version
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

$(RUN_VENV)/.synced: pyproject.toml uv.lock
	@$(MAKE) --no-print-directory python-version
	UV_PROJECT_ENVIRONMENT=$(RUN_VENV) $(UV) sync --frozen --no-dev --python $(PYTHON)
	@touch $@

deps: ## Install up front what the tests and checks need: Debian packages (sudo), the .tools/ checkers
	scripts/deps.sh

tools: ## Install the pinned, hash-checked checkers (checkov, actionlint, ...) under .tools/
	@source scripts/tools.sh && install_tools

# Quiet when everything is there (one line); otherwise each install is printed, then one line per
# thing no package brings (terraform, kubectl, the provider mirror). Only a check:
# scripts/check-prereqs.sh all
prereqs: ## Install what `make test` is missing (as `make deps` would), then check it all
	@scripts/check-prereqs.sh all --install

prereqs-app:
	@scripts/check-prereqs.sh app --install

install: $(VENV)/.synced ## Create .venv from uv.lock: runtime and dev dependencies

install-run: $(RUN_VENV)/.synced ## Create .venv-run from uv.lock: runtime dependencies only

run: install-run ## Run the service on the embedded defaults at http://127.0.0.1:8000 (docs at /docs)
	APP_ENV=$${APP_ENV:-local} $(RUN_VENV)/bin/gunicorn -c python:netflix_clone.web.gunicorn_conf \
	  --bind 127.0.0.1:$${PORT:-8000} netflix_clone.wsgi:app

demo: install-run ## `make run` with a demo member already watching; prints the address and sign-in
	RUN_VENV=$(RUN_VENV) scripts/demo.sh

services: ## Make sure PostgreSQL and Redis answer on 127.0.0.1 (starts them when installed here)
	@scripts/ensure-services.sh

test-app: prereqs-app install services ## The Python suite only (SQLite and PostgreSQL, Redis, fakes)
	$(PYTEST) -m "not infra and not faults" $(PYTEST_ARGS)

test: prereqs install services ## The whole suite (installs what it is missing first): app, schemathesis, manifests, terraform, workflows, faults
	$(PYTEST) -m "not faults" $(PYTEST_ARGS)
	$(MAKE) --no-print-directory faults

faults: prereqs install ## Dependency faults under load on private PostgreSQL/Redis; prints the table
	$(VENV)/bin/pytest -p no:xdist -p no:randomly -m faults tests/faults $(PYTEST_ARGS)

lint: install ## ruff (lint + format check), mypy --strict, and the layers (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

fmt: install ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schemathesis: prereqs-app install services ## Fuzz the API against its own /openapi.json (fixed seed)
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

demo-catalog: ## Rebuild the bundled demo catalog (zip) from ../shared/catalog-data and ../shared/tmdb
	$(PYTHON) scripts/build_demo_catalog.py $(if $(CATALOG_DATA),--catalog-data $(CATALOG_DATA)) \
	  $(if $(TMDB_DIR),--tmdb $(TMDB_DIR))

fake-tmdb: install ## Run the fake TMDB server on 127.0.0.1:8765 (key printed at start)
	$(VENV)/bin/python -m devtools.fake_tmdb --host 127.0.0.1 --port 8765

clean: ## Remove the virtualenvs, tool envs, caches and the local database
	rm -rf $(VENV) $(RUN_VENV) .tools .pytest_cache .mypy_cache .ruff_cache instance
