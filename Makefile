# Support Desk API — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
STAMP := node_modules/.install-stamp

.PHONY: help install build run test token bench migrate openapi lint typecheck clean

help:
	@echo "make run    - install, migrate and start the service (PGlite in .data/ unless DATABASE_URL is set)"
	@echo "make test   - type-check, lint, contract check and the whole test suite (PGlite; also PostgreSQL when TEST_DATABASE_URL is set)"
	@echo "make token ROLE=agent | ROLE=customer ORG=<id>  - mint a development token"
	@echo "make bench [QUICK=1] - benchmark against real PostgreSQL (DATABASE_URL, default local server)"

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(STAMP)

install: $(STAMP)

build: install
	npm run build

# Local development: the dev key pair (AUTH_DEV_KEYS) is enabled here explicitly, never by default in config,
# and only when no production key source (JWT_PUBLIC_KEY / JWT_JWKS_URL) is given.
run: build
	@if [ -z "$$JWT_PUBLIC_KEY$$JWT_JWKS_URL" ]; then export AUTH_DEV_KEYS="$${AUTH_DEV_KEYS:-.data/dev-keys}"; fi; \
	export SEED_DEMO_DATA="$${SEED_DEMO_DATA:-true}"; \
	exec npm start

token: install
	@npm run -s token -- $(ROLE) $(ORG)

migrate: build
	npm run db:migrate

openapi: install
	npm run openapi

typecheck: install
	npm run typecheck

lint: install
	npm run lint

test: install
	npm run sdk:generate
	npm run typecheck
	npm run lint
	npm run openapi:check
	bash scripts/test.sh

bench: build
	bash bench/run.sh $(if $(QUICK),--quick,)

clean:
	rm -rf dist .tap
