#!/usr/bin/env bash
# ringbench's one-command entry.
#   ./run.sh            build, check the machine, run the quick matrix and the
#                       claims, write the report; prints report.md's path
#   ./run.sh standard   the same with the standard preset (< 30 min on 2 cores)
#   ./run.sh full       the same with the full preset (perf boxes)
#   ./run.sh test       gofmt, go vet, go test ./... and a smoke run of ./run.sh
#   ./run.sh kernels    the quick matrix and the claims on Debian 6.1 and 6.12
#                       (in QEMU guests) and on the host kernel; writes a
#                       compare.md per pair of comparable kernels and prints
#                       the cross-kernel claims table
# Knobs (environment): RINGBENCH_DURATION, RINGBENCH_WARMUP, RINGBENCH_REPS
# (default: the preset's), RINGBENCH_CLAIMS_BUDGET (2m; 0 skips the claims'
# measurements, leaving the performance claims inconclusive), RINGBENCH_OUT
# (results/<stamp>-<kernel>-<host>).
set -euo pipefail
cd "$(dirname "$0")"

# apt_install installs Debian packages, refreshing the package lists once if
# the first try fails.
apt_install() {
	local sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y --no-install-recommends "$@" >&2 ||
		{ $sudo apt-get update >&2 && $sudo apt-get install -y --no-install-recommends "$@" >&2; }
}

# c_deps installs what the C read modes (libbpf, c-mmap) build with: a C
# compiler and Debian's libbpf-dev. Without them ringbench builds without
# cgo, and those modes say they are unavailable.
c_deps() {
	if command -v gcc >/dev/null && [ -f /usr/include/bpf/libbpf.h ]; then
		return 0
	fi
	echo "installing gcc and libbpf-dev for the C read modes" >&2
	apt_install gcc libc6-dev libbpf-dev ||
		{ echo "could not install them: building without cgo; the libbpf and c-mmap modes will be unavailable" >&2; export CGO_ENABLED=0; }
}

# build builds ringbench into bin/ringbench, or the path given.
build() {
	local out=${1:-bin/ringbench} commit dirty=false
	[ "${CGO_ENABLED:-}" = 0 ] || c_deps
	commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
	git diff --quiet HEAD 2>/dev/null || dirty=true
	go build -ldflags "-X ringbench/machine.Commit=$commit -X ringbench/machine.Dirty=$dirty" \
		-o "$out" ./cmd/ringbench
}

default_run() {
	local preset=$1 env_out
	build
	# The matrix probes the noise floor itself, into run.json.
	if ! env_out=$(bin/ringbench env --noise 0 2>&1); then
		echo "$env_out" >&2
		exit 1
	fi
	local out=${RINGBENCH_OUT:-results/$(date -u +%Y%m%dT%H%M%SZ)-$(uname -r)-$(hostname)}
	local knobs=()
	[ -n "${RINGBENCH_DURATION:-}" ] && knobs+=(--duration "$RINGBENCH_DURATION")
	[ -n "${RINGBENCH_WARMUP:-}" ] && knobs+=(--warmup "$RINGBENCH_WARMUP")
	[ -n "${RINGBENCH_REPS:-}" ] && knobs+=(--reps "$RINGBENCH_REPS")
	bin/ringbench matrix --preset "$preset" --out "$out" "${knobs[@]}"
	local budget=${RINGBENCH_CLAIMS_BUDGET:-2m} measure=true
	if [ "$budget" = 0 ]; then
		budget=2m measure=false
	fi
	bin/ringbench claims --measure="$measure" --budget "$budget" \
		--json "$out/claims.json" >"$out/claims.txt"
	cat "$out/claims.txt"
	bin/ringbench report "$out" >/dev/null
	# The top-level plots/ keeps the charts of the latest run under results/.
	case $out in results/*)
		find plots -maxdepth 1 \( -name '*.png' -o -name '*.svg' \) -delete
		cp "$out"/plots/*.png "$out"/plots/*.svg plots/ 2>/dev/null || true
		;;
	esac
	echo "report: $out/report.md"
}

run_tests() {
	local unformatted
	unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
	if [ -n "$unformatted" ]; then
		echo "gofmt would change: $unformatted" >&2
		exit 1
	fi
	c_deps
	go vet ./...
	# Test binaries build in parallel; packages then run one at a time, so
	# that the privileged tests' measurements never share the CPUs with a
	# compiler or another package's tests (a noisy neighbour is exactly what
	# they must not measure).
	go test -count=1 -run '^$' ./... >/dev/null
	go test -p 1 ./...
	# Smoke: the default run, tiny, into a temp folder, then verified.
	smoke_dir=$(mktemp -d)
	trap 'rm -rf "$smoke_dir"' EXIT
	RINGBENCH_OUT=$smoke_dir/run RINGBENCH_DURATION=300ms RINGBENCH_WARMUP=100ms RINGBENCH_REPS=1 \
		RINGBENCH_CLAIMS_BUDGET=0 ./run.sh
	bin/ringbench verify "$smoke_dir/run"
	test -s "$smoke_dir/run/report.md"
}

# kernels_run: ringbench vm boots Debian's 6.1 and 6.12 kernels under QEMU
# (KVM when it works, else TCG, whose timings compare only with each other)
# and runs, there and on the host kernel, the quick matrix (in a TCG guest
# its emulated form, which its preset describes), then the claims; it
# prints where each pair of comparable kernels' compare.md is, and the
# cross-kernel claims table. The host runs alone first each time, then the
# guests (under TCG side by side; under KVM one at a time and the whole
# quick matrix, so about three times as long). The claims' budget defaults
# to 75s here (the least that runs every performance scenario). The
# RINGBENCH_DURATION, _WARMUP and _REPS knobs apply to every kernel's
# matrix, the guests' emulated form included.
kernels_run() {
	if ! command -v qemu-system-x86_64 >/dev/null; then
		echo "installing qemu-system-x86" >&2
		apt_install qemu-system-x86
	fi
	build # with cgo, for the host's part: the C read modes too
	CGO_ENABLED=0 build bin/ringbench-static # the guests' PID 1 must be static
	local out=${RINGBENCH_OUT:-results/$(date -u +%Y%m%dT%H%M%SZ)-kernels-$(hostname)}
	local budget=${RINGBENCH_CLAIMS_BUDGET:-75s} measure=true status=0
	if [ "$budget" = 0 ]; then
		budget=75s measure=false
	fi
	local kernels=(--kernel debian:6.1 --kernel debian:6.12 --kernel host)
	local knobs=()
	[ -n "${RINGBENCH_DURATION:-}" ] && knobs+=(--duration "$RINGBENCH_DURATION")
	[ -n "${RINGBENCH_WARMUP:-}" ] && knobs+=(--warmup "$RINGBENCH_WARMUP")
	[ -n "${RINGBENCH_REPS:-}" ] && knobs+=(--reps "$RINGBENCH_REPS")
	bin/ringbench vm "${kernels[@]}" --guest-binary bin/ringbench-static --out "$out/matrix" \
		-- matrix --preset quick "${knobs[@]}" || status=$?
	# Interrupted (ringbench exits 128 + the signal), the claims do not start.
	[ "$status" -lt 128 ] || return "$status"
	bin/ringbench vm "${kernels[@]}" --guest-binary bin/ringbench-static --out "$out/claims" \
		-- claims --measure="$measure" --budget "$budget" >/dev/null || status=$?
	if [ -s "$out/claims/claims-table.txt" ]; then
		cat "$out/claims/claims-table.txt"
	fi
	echo "results: $out"
	return "$status"
}

case "${1:-}" in
"") default_run quick ;;
quick | standard | full) default_run "$1" ;;
test) run_tests ;;
kernels) kernels_run ;;
*)
	echo "usage: ./run.sh [quick|standard|full|test|kernels]" >&2
	exit 2
	;;
esac
