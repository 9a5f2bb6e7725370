// Package report renders results for people and for benchstat: the
// summary table a run prints, bench.txt, summary.csv, .hgrm and .hlog
// files, charts, report.md, and ringbench compare's output.
package report
