#!/usr/bin/env bash
# make fuzz: runs each fuzz target (package:FuzzName) for $FUZZTIME, after
# checking that every Fuzz function of the tree is among them.
#
# Go 1.26's fuzzing coordinator can end a run that found nothing with a
# bare "context deadline exceeded" at the -fuzztime boundary when the
# machine is busy (golang/go#75804, fixed in Go 1.27). Such a run wrote no
# failing input; it is run again, once. Any other failure, or a failing
# input written under testdata/fuzz, fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
fuzztime=${FUZZTIME:-10s}
# Minimising a new interesting input takes up to a minute by default, which
# a short run spends minimising instead of fuzzing (FuzzRestore, whose
# inputs are snapshots of kilobytes, made no progress at all); a failing
# input is still written, less minimised.
minimizetime=${FUZZMINIMIZETIME:-2s}

missing=()
for f in $(grep -rho --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' cmd examples internal preforklib runtime | sed 's/^func //'); do
	case " $* " in *":$f "*) ;; *) missing+=("$f") ;; esac
done
if ((${#missing[@]})); then
	echo "fuzz targets missing from FUZZ_TARGETS: ${missing[*]}" >&2
	exit 1
fi

# inputs counts the failing inputs saved for target $2 of package $1.
inputs() {
	if [[ -d $1/testdata/fuzz/$2 ]]; then find "$1/testdata/fuzz/$2" -type f | wc -l; else echo 0; fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$@"; do
	pkg=${t%%:*} name=${t##*:}
	for attempt in 1 2; do
		echo "fuzz $name ($pkg) for $fuzztime"
		before=$(inputs "$pkg" "$name")
		if "$go" test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime" "$pkg" 2>&1 | tee "$log"; then
			break
		fi
		if [[ $attempt == 1 && $(inputs "$pkg" "$name") == "$before" ]] && grep -q '^    context deadline exceeded$' "$log" &&
			[[ $(grep -c '^--- FAIL' "$log") == 1 ]]; then
			echo "fuzz $name: the coordinator's deadline race (golang/go#75804), no failing input; again"
			continue
		fi
		exit 1
	done
done
