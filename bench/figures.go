package bench

import (
	"maps"
	"slices"
)

// ratio is num/den as a figure: null when den is 0 (nothing to divide by,
// e.g. no event consumed in the window), never a 0 or an Inf.
func ratio(num float64, den uint64) *float64 {
	if den == 0 {
		return nil
	}
	v := num / float64(den)
	return &v
}

// markUnmeasured nulls nothing (nil is already null) but records why each
// figure of a section is absent.
func markUnmeasured(u map[string]string, section string, keys []string, why string) {
	for _, k := range keys {
		u[section+"."+k] = why
	}
}

// sortedKeys are m's keys in order, so that what is built from a map comes
// out the same each time.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
