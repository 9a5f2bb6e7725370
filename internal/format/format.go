// Package format writes numbers for people: three significant digits, SI
// suffixes and duration units, the same in charts, reports, comparisons and
// the claims' evidence.
package format

import (
	"math"
	"strconv"
	"strings"
)

// Sig3 writes v with three significant digits, without an exponent and
// without trailing zeros: 3.05, 78.8, 226, 0.0123.
func Sig3(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.IsInf(v, 0) || math.IsNaN(v):
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	d := max(2-int(math.Floor(math.Log10(math.Abs(v)))), 0)
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// SI writes v with a k, M or G suffix and three significant digits:
// 400000 → "400k", 1250 → "1.25k", 0.0123 → "0.0123".
func SI(v float64) string {
	if s, ok := scaled(v, []string{"k", "M", "G"}, ""); ok {
		return s
	}
	if a := math.Abs(v); a == 0 || a >= 1e-4 {
		return Sig3(v)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// scaled writes v in the largest of units (each 1000 times the last, the
// first 1000 times one) it reaches, with three significant digits; false
// when v is below the first.
func scaled(v float64, units []string, sep string) (string, bool) {
	for i := len(units) - 1; i >= 0; i-- {
		if f := math.Pow(1000, float64(i+1)); math.Abs(v) >= f {
			return Sig3(v/f) + sep + units[i], true
		}
	}
	return "", false
}

// Duration writes nanoseconds in the unit that reads at a glance: 850 ns,
// 3.05 µs, 4.41 ms, 1.2 s.
func Duration(ns float64) string {
	if s, ok := scaled(ns, []string{"µs", "ms", "s"}, " "); ok {
		return s
	}
	return strconv.FormatFloat(math.Round(ns), 'f', -1, 64) + " ns"
}

// Bytes writes a byte count in B, KiB or MiB.
func Bytes(b float64) string {
	unit, name := BytesUnit(b)
	if unit == 1 {
		return strconv.FormatFloat(math.Round(b), 'f', -1, 64) + " B"
	}
	return Sig3(b/unit) + " " + name
}

// BytesUnit is the unit Bytes writes b in, and its name.
func BytesUnit(b float64) (float64, string) {
	switch {
	case b >= 1<<20:
		return 1 << 20, "MiB"
	case b >= 1<<10:
		return 1 << 10, "KiB"
	}
	return 1, "B"
}

// OneLine is err's message on one line, its line breaks as "; ": what a
// one-line error, a log line or a JSON field holds.
func OneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }
