// Package claims puts the claims of ../shared/CLAIMS.md to the test on the
// running kernel. Every verdict is computed at run time from what the
// kernel returns (errno, bytes, positions, counters) or from measured
// results with their spread; none is written into the code, so the same
// command may answer differently on another kernel, which is the point.
package claims
