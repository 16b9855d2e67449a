# Two commands from a fresh clone: `make crawl` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: crawl test test-fast lint typecheck bench bench-quick bench-extract bench-realpages bench-crawl bench-warc bench-search bench-fleet demo venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $(STAMP)

crawl: $(STAMP)
	$(BIN)/scrapy crawl articles -a replay=tests/fixtures/portal

# The linter and the type checker first (an error in either fails the run), then every test.
test: lint typecheck
	$(BIN)/pytest

# Everything but the end-to-end tests marked slow (crawls in subprocesses, pywb, browsers).
test-fast: lint typecheck
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check northnews tests benchmarks

# mypy on northnews/ at the level set in pyproject.toml [tool.mypy] (README "Tests").
typecheck: $(STAMP)
	$(BIN)/mypy

# Benchmarks, not tests: they print tables (copied into the README), they assert nothing.
# One run, one table (README "Benchmarks"): live crawl WARC on/off over gzip and plain bodies, our
# settings vs stock, a no-op spider on the same URLs (stock and tuned settings), the previous release
# (5a307f9, a temporary git worktree) on and off, replays, northnews-archive extract on 1 and 2 jobs,
# an incremental rerun, peak RSS at 1k/10k/50k articles (~40 min on 2 idle cores). bench-quick: 300
# articles, 1 run, no baseline.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.run --quick

bench-extract: $(STAMP)
	$(BIN)/python -m benchmarks.extract

# The generic extractor and trafilatura on the 90 real pages of the public benchmark (dev half).
bench-realpages: $(STAMP)
	$(BIN)/python -m benchmarks.realpages

bench-crawl: $(STAMP)
	$(BIN)/python -m benchmarks.crawl

bench-warc: $(STAMP)
	$(BIN)/python -m benchmarks.warc --levels 1,6

# northnews-archive wacz on generated archives of 300 MB and 3 GB: time and peak RSS (flat memory).
bench-wacz: $(STAMP)
	$(BIN)/python -m benchmarks.wacz --sizes 300MB,3GB

# check / index / list / replay / recover on a generated archive: time per GB and peak RSS.
bench-archive: $(STAMP)
	$(BIN)/python -m benchmarks.archive --size 1GB

# Full-text search: bigram (ours) vs FTS5 trigram vs jieba on 10k and 100k generated articles.
bench-search: $(STAMP)
	$(BIN)/python -m benchmarks.search

# The archive without the site: the bundled portal on 127.0.0.1, northnews-cron through it twice (the
# second incremental, after the portal added and edited articles), then northnews serve on the result.
demo: $(STAMP)
	$(BIN)/python -m tests.demo
# The fleet on a throw-away PostgreSQL: 1, 2, 4 workers over 8 generated portals with a politeness
# delay, then a run with a worker killed (~10 min on 2 cores); the job engine's own costs.
bench-fleet: $(STAMP)
	$(BIN)/python -m benchmarks.fleet --portals 8 --delay 0.25 --concurrency 2 --kill
	$(BIN)/python -m benchmarks.fleet_engine

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache
