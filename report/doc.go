// Package report renders results for people: the summary table a run
// prints, and (later) charts and the design-review report.
package report
