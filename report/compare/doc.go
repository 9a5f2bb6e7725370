// Package compare sets two or more runs side by side, as ringbench compare
// does: per scenario and metric of the catalog, medians with confidence
// intervals and a Mann–Whitney U test, with loud warnings where the runs
// are not comparable (other machines, emulation, interference).
package compare
