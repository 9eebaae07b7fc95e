# crm-pipeline — every target works on a fresh clone with Python >= 3.11.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INPUT  ?= input
OUTPUT ?= output
DEMO   ?= demo

.PHONY: install demo run test bench docs clean

# Re-install whenever pyproject.toml changes (the stamp is older than it).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	-$(BIN)/python -m pipeline.buildcache   # the region and industry indexes and report template, built once (README, Performance)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/crm-pipeline demo $(DEMO)/input
	$(BIN)/crm-pipeline run --input $(DEMO)/input --output $(DEMO)/output --as-of 2026-11-30
	@echo "演示输出：$(DEMO)/output/2026-11/"

# make run [AS_OF=YYYY-MM-DD] [FRESH=1] [FORCE=1]: without AS_OF the month comes from the submissions
run: $(STAMP)
	$(BIN)/crm-pipeline run --input $(INPUT) --output $(OUTPUT) $(if $(AS_OF),--as-of $(AS_OF)) $(if $(FRESH),--fresh) $(if $(FORCE),--force)

# The suite runs in one worker per CPU (pytest-xdist), a test file per worker at a time so each
# file's fixtures are built once; TEST_WORKERS=0 runs it in this process alone.
# pytest exits 5 when it collects nothing; that must not pass silently, nor crash CI oddly.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	$(BIN)/python -m bench.perf_merge $(MERGE_BENCH_ARGS)
	$(BIN)/python -m bench.perf_regions

docs: $(STAMP)
	$(BIN)/python -m pipeline.docs > docs/rules.md

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
