package report

import (
	"math"
	"strconv"
	"strings"

	"ringbench/bench"
)

// The number formats of what report writes for people to read later:
// charts, report.md and compare output share them so one figure reads the
// same everywhere. The terminal's live lines (Table, the progress of a
// run) keep Rate and Nanos, whose fixed decimals line up in columns.

// sig3 writes v with three significant digits, without an exponent and
// without trailing zeros: 3.05, 78.8, 226, 0.0123.
func sig3(v float64) string {
	if v == 0 {
		return "0"
	}
	d := max(2-int(math.Floor(math.Log10(math.Abs(v)))), 0)
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// siLabel writes v with a k, M or G suffix and three significant digits:
// 400000 → "400k", 1250 → "1.25k", 0.0123 → "0.0123".
func siLabel(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return sig3(v/1e9) + "G"
	case a >= 1e6:
		return sig3(v/1e6) + "M"
	case a >= 1e3:
		return sig3(v/1e3) + "k"
	case a == 0 || a >= 1e-4:
		return sig3(v)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// dur writes nanoseconds in the unit that reads at a glance: 850 ns,
// 3.05 µs, 4.41 ms, 1.2 s.
func dur(ns float64) string {
	switch a := math.Abs(ns); {
	case a >= 1e9:
		return sig3(ns/1e9) + " s"
	case a >= 1e6:
		return sig3(ns/1e6) + " ms"
	case a >= 1e3:
		return sig3(ns/1e3) + " µs"
	}
	return strconv.FormatFloat(math.Round(ns), 'f', -1, 64) + " ns"
}

// rateLabel names an offered rate: 100000 → "100k", 0 → "max".
func rateLabel(r uint64) string {
	if r == 0 {
		return "max"
	}
	return siLabel(float64(r))
}

// rateOf names a scenario's rate for people: its offered rate, max or
// b2b. Two close rates can share a name: key by rateKey.
func rateOf(p bench.Params) string {
	if p.B2B {
		return "b2b"
	}
	return rateLabel(p.Rate)
}

// rateKey names a scenario's rate exactly, as its ID and bench.txt do:
// "100000", "max" (unpaced) or "b2b" (the consumer triggers each batch).
func rateKey(p bench.Params) string {
	switch {
	case p.B2B:
		return "b2b"
	case p.Rate == 0:
		return "max"
	}
	return strconv.FormatUint(p.Rate, 10)
}

// atRate says a scenario's rate in a sentence or title: "at 100k ev/s",
// "at max rate", "back to back".
func atRate(p bench.Params) string {
	switch {
	case p.B2B:
		return "back to back"
	case p.Rate == 0:
		return "at max rate"
	}
	return "at " + rateLabel(p.Rate) + " ev/s"
}
