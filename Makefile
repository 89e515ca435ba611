# The two Quick-start commands. Each installs what the machine lacks, then builds and runs.
SWIFT ?= swift

.PHONY: demo test deps build release clean

demo: deps
	$(SWIFT) run realtime-dash --demo

# Serial: most tests wait on real sockets, and two cores in parallel made timing flaky.
# The build is unbounded (a cold one takes minutes); the run itself is bounded, so a hang
# fails in minutes with the last test named instead of running into CI's limit.
TEST_TIMEOUT ?= 900

test: deps
	$(SWIFT) build --build-tests
	timeout --kill-after=20 $(TEST_TIMEOUT) $(SWIFT) test --skip-build --no-parallel

deps:
	@bash scripts/ensure-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build
