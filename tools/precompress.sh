#!/bin/sh
# precompress.sh writes, beside each file of a built site worth compressing,
# the twins that tools/internal/static serves in its place: FILE.gz (gzip -9)
# and, when the brotli command is installed, FILE.br (brotli at $BROTLI,
# default -q 11). Brotli's best level makes main.wasm about a third smaller
# than gzip does, but takes a minute or more on it, so each result is kept in
# a cache folder under the SHA-256 of its input: an unchanged main.wasm (Go
# builds are reproducible) costs nothing the next time. The cache keeps its
# 64 newest entries.
#
#	tools/precompress.sh build/site .cache/precompressed    # make site does this
#
# Without brotli the site is served with gzip, about 1.4 MB bigger.
set -eu

site=$1
cache=$2
brotli_flags=${BROTLI:--q 11}
mkdir -p "$cache"
if ! command -v brotli >/dev/null 2>&1; then
	echo "precompress: no brotli command (apt-get install brotli): serving gzip only" >&2
fi

find "$site" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.safetensors' -o -name '*.digits' -o -name '*.html' -o -name '*.css' \) -size +1k |
while read -r f; do
	gzip -9 -n -c "$f" >"$f.gz"
	command -v brotli >/dev/null 2>&1 || continue
	key=$(sha256sum "$f" | cut -c1-64)-$(echo "$brotli_flags" | tr -c 'a-z0-9' _)
	if [ ! -s "$cache/$key.br" ]; then
		# A temporary name of this process's own: two builds of the site may
		# compress the same file at once, and the rename makes either whole.
		# shellcheck disable=SC2086 # the flags are words
		brotli $brotli_flags -c "$f" >"$cache/$key.br.$$.tmp"
		mv -f "$cache/$key.br.$$.tmp" "$cache/$key.br"
	fi
	touch "$cache/$key.br" # used now: the newest are kept below
	cp "$cache/$key.br" "$f.br"
done

# Keep the cache to the 64 newest entries: each main.wasm adds 3 MB.
ls -t "$cache"/*.br 2>/dev/null | tail -n +65 | while read -r old; do rm -f "$old"; done
