#!/bin/sh
# fuzz.sh runs every fuzz target in the module for a set time each and prints
# one summary line per target: executions, new corpus entries, and whether it
# crashed. The targets are discovered with `go test -list`, so a new Fuzz
# function is picked up without editing this script or the Makefile.
#
#	tools/fuzz.sh 60s    # make fuzz FUZZTIME=60s
#	tools/fuzz.sh 5s     # make fuzz-short, part of make test
#
# A crash leaves its input in the package's testdata/fuzz/<Target>/ (commit it:
# it becomes a regression test run by plain go test) and makes the script exit
# 1 after the remaining targets have run.
set -eu

fuzztime=${1:-60s}
go=${GO:-go}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# go test -list prints a package's matching names, then its "ok <package>"
# line. A package that does not build would hide its targets: stop instead.
if ! "$go" test -list '^Fuzz' ./... >"$log" 2>&1; then
	echo "fuzz: go test -list failed:" >&2
	cat "$log" >&2
	exit 1
fi
targets=$(awk '
	/^Fuzz/ { names[n++] = $1; next }
	/^ok /  { for (i = 0; i < n; i++) print $2, names[i]; n = 0 }
' "$log")
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi

failed=0
echo "$targets" | {
	while read -r pkg target; do
		# Minimizing each new interesting input may take up to a minute by
		# default, during which no executions are reported and few are run.
		if "$go" test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 2s "$pkg" >"$log" 2>&1; then
			status=ok
		else
			status=FAILED
			failed=1
		fi
		# The fuzzer reports progress as "fuzz: elapsed: 3s, execs: 1234 (411/sec), new interesting: 5 (total: 20)".
		execs=$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
		interesting=$(sed -n 's/.*new interesting: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
		printf '%-28s %-20s %s execs in %s, %s new interesting, %s\n' \
			"$pkg" "$target" "${execs:-?}" "$fuzztime" "${interesting:-?}" "$status"
		if [ "$status" = FAILED ]; then
			sed 's/^/    /' "$log"
		fi
	done
	exit $failed
}
