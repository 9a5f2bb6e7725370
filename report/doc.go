// Package report writes a run folder's output for people and for
// benchstat: report.md with its charts (packages markdown and charts), the
// summary table a run prints, bench.txt, summary.csv, .hgrm and .hlog
// files. ringbench compare's output is package compare's.
package report
