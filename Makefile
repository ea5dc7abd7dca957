# katalogpes: local development and CI entry points.
#   make run    services up, build, migrate, load TERYT, seed demo data, serve
#   make test   services up, chromium, haproxy, poppler-utils and axe-core, the contract linted, go vet + go test + benchmarks (1 iteration) + fuzzing (10 s a target)
#   make stop   stop the local services (data in .data/ is kept)
#   make fuzz   services up, every Go fuzz target for FUZZ_TIME each (60s)
# Local services (PostgreSQL, Meilisearch) are managed by scripts/services.sh.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := build

ROOT     := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
DATA     := $(ROOT)/.data
BIN      := $(DATA)/bin/katalogpes
SERVICES := $(ROOT)/scripts/services.sh
# The full TERC register, when the checkout has shared/ beside it.
TERC_DEFAULT := $(abspath $(ROOT)/../shared/data/TERC_2020-01-01.csv)

HTTP_ADDR  ?= 127.0.0.1:8080
APP_ENV    ?= development
TERYT_FILE ?=

# Go lives in /usr/local/go on our machines; do not rely on PATH having it.
export PATH := $(PATH):/usr/local/go/bin

.PHONY: teryt build run test stop services status bench bench-full bench-scale fmt vet chromium haproxy poppler-utils axe-core fuzz openapi-tools openapi-lint

build:
	@echo "==> building katalogpes"
	mkdir -p "$(DATA)/bin"
	go build -o "$(BIN)" ./cmd/katalogpes

services:
	@echo "==> starting PostgreSQL and Meilisearch (under .data/)"
	"$(SERVICES)" up

status:
	"$(SERVICES)" status

stop:
	"$(SERVICES)" down

run: services build
	@source "$(DATA)/env"
	echo "==> applying database migrations"
	"$(BIN)" migrate
	teryt="$(TERYT_FILE)"
	if [[ -z "$$teryt" && -f "$(TERC_DEFAULT)" ]]; then teryt="$(TERC_DEFAULT)"; fi
	if [[ -n "$$teryt" ]]; then
	    echo "==> loading the TERYT register from $$teryt"
	    "$(BIN)" teryt load "$$teryt"
	else
	    echo "==> no TERYT register found (TERYT_FILE unset, no $(TERC_DEFAULT)): the demo loads only the places it uses."
	    echo "    Load the full register later with: make teryt TERYT_FILE=/path/to/TERC.csv"
	fi
	echo "==> loading the demo catalog"
	"$(BIN)" seed --demo
	export HTTP_ADDR="$(HTTP_ADDR)" APP_ENV="$(APP_ENV)"
	echo "==> serving http://localhost:$${HTTP_ADDR##*:} (Ctrl-C stops; make stop stops the services)"
	exec "$(BIN)" serve

# Load (or update) the official TERC register: make teryt TERYT_FILE=PATH
teryt: services build
	@source "$(DATA)/env"
	[[ -n "$(TERYT_FILE)" ]] || { echo "make teryt: set TERYT_FILE=/path/to/TERC.csv" >&2; exit 2; }
	"$(BIN)" teryt load "$(abspath $(TERYT_FILE))"

# Debian packages the tests need (chromium for browser tests, haproxy for
# the two-node test in cmd/twonode, poppler-utils to read PDFs back),
# installed when their binary is missing; apt-get update is skipped while
# the package lists are less than 6 h old.
define apt_install
	if [[ ! -x $(1) ]]; then
	    sudo=""; [[ "$$(id -u)" == 0 ]] || sudo=sudo
	    if [[ -z "$$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -360 2>/dev/null | head -n1)" ]]; then
	        $$sudo apt-get update -qq
	    fi
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2)
	fi
endef

chromium:
	$(call apt_install,/usr/bin/chromium,chromium)

haproxy:
	$(call apt_install,/usr/sbin/haproxy,haproxy)

# The market-check PDF is read back with poppler's pdftotext.
poppler-utils:
	$(call apt_install,/usr/bin/pdftotext,poppler-utils)

# The browser tests run axe-core (from npm) in the page; it lives in
# .data/node_modules and is installed when missing.
AXE_CORE_JS := $(DATA)/node_modules/axe-core/axe.min.js

axe-core:
	if [[ ! -f "$(AXE_CORE_JS)" ]]; then
	    npm install --prefix "$(DATA)" --no-audit --no-fund --silent axe-core@4
	fi

# The contract (GET /api/v1/openapi.json) is linted with Redocly's and
# Stoplight's linters from npm, pinned, in .data/node_modules; 0 errors.
REDOCLY_VERSION  := 2.77.0
SPECTRAL_VERSION := 6.16.3
NPM_BIN          := $(DATA)/node_modules/.bin

openapi-tools:
	if ! grep -qs '"version": "$(REDOCLY_VERSION)"' "$(DATA)/node_modules/@redocly/cli/package.json" ||
	   ! grep -qs '"version": "$(SPECTRAL_VERSION)"' "$(DATA)/node_modules/@stoplight/spectral-cli/package.json"; then
	    npm install --prefix "$(DATA)" --no-audit --no-fund --silent @redocly/cli@$(REDOCLY_VERSION) @stoplight/spectral-cli@$(SPECTRAL_VERSION)
	fi

openapi-lint: openapi-tools
	OPENAPI_OUT="$(DATA)/openapi.json" go test -count=1 -run '^TestTheContractDocumentsEveryRoute$$' ./handlers
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "$(NPM_BIN)/redocly" lint --config "$(ROOT)/.ci/redocly.yaml" "$(DATA)/openapi.json"
	"$(NPM_BIN)/spectral" lint --fail-severity=error --ruleset "$(ROOT)/.ci/spectral.yaml" "$(DATA)/openapi.json"

# Tests trade PostgreSQL's durability for speed; make run keeps it.
test: export KATALOG_PG_FAST := 1
test: services chromium haproxy poppler-utils axe-core openapi-lint
	scripts/test-services.sh
	source "$(DATA)/env"
	export AXE_CORE_JS="$(AXE_CORE_JS)"
	if [[ -n "$(TERYT_FILE)" ]]; then
	    export TERYT_FILE="$(abspath $(TERYT_FILE))"
	elif [[ -f "$(TERC_DEFAULT)" ]]; then
	    export TERYT_FILE="$(TERC_DEFAULT)"
	fi
	go vet ./...
	go test -count=1 -p 2 -timeout 25m ./...
	# Run every benchmark once so they keep compiling and working.
	go test -run '^$$' -bench . -benchtime=1x ./...
	# Every fuzz target for 10 s (make fuzz runs them longer).
	FUZZ_TIME=10s "$(ROOT)/scripts/fuzz.sh"

# Every fuzz target (func FuzzXxx) for FUZZ_TIME each, one at a time
# (scripts/fuzz.sh). Failing inputs land in the package's testdata/fuzz/.
FUZZ_TIME ?= 60s

fuzz: services
	source "$(DATA)/env"
	FUZZ_TIME="$(FUZZ_TIME)" "$(ROOT)/scripts/fuzz.sh"

# The load benchmark (bench/load): its own database and index, N generated
# listings imported, then each kind of request at concurrency C for D,
# beside its limit measured in the same run. Prints a Markdown table.
BENCH_ARGS ?=
define bench_prep
	source "$(DATA)/env"
	teryt="$(TERYT_FILE)"
	if [[ -z "$$teryt" ]]; then teryt="$(TERC_DEFAULT)"; fi
	[[ -f "$$teryt" ]] || { echo "make $@: the load benchmark needs the full TERC register: set TERYT_FILE" >&2; exit 1; }
	go build -o "$(DATA)/bin/katalogpes-load" ./bench/load
endef
define bench_run
	$(bench_prep)
	"$(DATA)/bin/katalogpes-load" -terc "$$teryt" -bin "$(BIN)" $(1) -command "make $@" $(BENCH_ARGS)
endef

bench: services build
	$(call bench_run,-n 10000 -c 16 -d 15s)

bench-full: services build
	$(call bench_run,-n 100000 -c 32 -d 60s)

# How cost grows with the catalog (issue 17): one run per size in
# BENCH_SCALE_SIZES (C=32, 30 s per kind), then one table of p95 and CPU
# per request, a column per size. About 45 minutes at the default sizes.
BENCH_SCALE_SIZES ?= 10000 100000 300000
bench-scale: services build
	$(bench_prep)
	scale="$(DATA)/bench-scale.jsonl"
	rm -f "$$scale"
	for n in $(BENCH_SCALE_SIZES); do
		"$(DATA)/bin/katalogpes-load" -terc "$$teryt" -bin "$(BIN)" -n "$$n" -c 32 -d 30s -scale "$$scale" \
			-out "$(DATA)/bench-scale-$$n.md" -command "make bench-scale" $(BENCH_ARGS)
	done
	"$(DATA)/bin/katalogpes-load" -scale-table "$$scale"

fmt:
	go fmt ./...

vet:
	go vet ./...
