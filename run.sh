#!/usr/bin/env bash
# ringbench's one-command entry.
#   ./run.sh         build, check the machine, run the default matrix, print
#                    the summary and where the results are
#   ./run.sh test    gofmt, go vet, go test ./... and a smoke run of ./run.sh
# Knobs for the default run (environment): RINGBENCH_DURATION (3s),
# RINGBENCH_WARMUP (1s), RINGBENCH_REPS (3), RINGBENCH_OUT (results/<stamp>).
set -euo pipefail
cd "$(dirname "$0")"

build() {
	local commit dirty=false
	commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
	git diff --quiet HEAD 2>/dev/null || dirty=true
	go build -ldflags "-X ringbench/bench.Commit=$commit -X ringbench/bench.Dirty=$dirty" \
		-o bin/ringbench ./cmd/ringbench
}

default_run() {
	build
	if ! bin/ringbench env >/tmp/ringbench-env.$$ 2>&1; then
		cat /tmp/ringbench-env.$$ >&2
		rm -f /tmp/ringbench-env.$$
		exit 1
	fi
	rm -f /tmp/ringbench-env.$$
	local out=${RINGBENCH_OUT:-results/$(date -u +%Y%m%dT%H%M%SZ)-$(uname -r)-$(hostname)}
	bin/ringbench run \
		--transport ringbuf,perfbuf --mode reader --rate 10000,100000 \
		--duration "${RINGBENCH_DURATION:-3s}" --warmup "${RINGBENCH_WARMUP:-1s}" \
		--reps "${RINGBENCH_REPS:-3}" --out "$out"
}

run_tests() {
	local unformatted
	unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
	if [ -n "$unformatted" ]; then
		echo "gofmt would change: $unformatted" >&2
		exit 1
	fi
	go vet ./...
	go test ./...
	# Smoke: the default run, tiny, into a temp folder, then verified.
	smoke_dir=$(mktemp -d)
	trap 'rm -rf "$smoke_dir"' EXIT
	RINGBENCH_OUT=$smoke_dir/run RINGBENCH_DURATION=500ms RINGBENCH_WARMUP=100ms ./run.sh
	bin/ringbench verify "$smoke_dir/run"
}

case "${1:-}" in
"") default_run ;;
test) run_tests ;;
*)
	echo "usage: ./run.sh [test]" >&2
	exit 2
	;;
esac
