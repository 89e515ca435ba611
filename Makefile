# The two Quick-start commands. Each installs what the machine lacks, then builds and runs.
SWIFT ?= swift

.PHONY: demo test deps build release clean

demo: deps
	$(SWIFT) run realtime-dash --demo

test: deps
	$(SWIFT) test --no-parallel

deps:
	@bash scripts/ensure-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build
