# The two Quick-start commands. Each installs what the machine lacks, then builds and runs.
SWIFT ?= swift

.PHONY: demo test test-tsan lint format deps build release clean

demo: deps
	$(SWIFT) run realtime-dash --demo

# Serial, for CI's steadiness; plain `swift test` runs the same suite in parallel (and passes).
# The build is unbounded (a cold one takes minutes); the run itself is bounded, so a hang
# fails in minutes with the last test named instead of running into CI's limit.
TEST_TIMEOUT ?= 900

test: deps
	$(SWIFT) build --build-tests
	timeout --kill-after=20 $(TEST_TIMEOUT) $(SWIFT) test --skip-build --no-parallel

# ThreadSanitizer over the suites where the concurrency lives (protocol, recorder, client, core, demo
# backend, the storm), in a build folder of its own. CI runs it after `make test`. The whole
# suite also passes under TSan; the console-in-tmux tests are left out here only for time.
TSAN_SUITES ?= RealtimeProtocolTests|RecordingTests|RealtimeClientTests|DashboardCoreTests|DemoBackendTests|StormTests|ReplayFidelityTests

test-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS=halt_on_error=1 timeout --kill-after=20 $(TEST_TIMEOUT) $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --skip-build --no-parallel --filter '$(TSAN_SUITES)'

# Style: .swift-format (4-space indent, lines up to 130). CI fails on any lint warning.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

deps:
	@bash scripts/ensure-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build
