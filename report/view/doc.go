// Package view is how every reader of a run sees it: which scenarios were
// measured, how a mode is labelled and ordered, the variants and base
// sweeps, how rates and catalog units print, the machine's noise floor and
// the latency breakdown's phases. report's charts and markdown and compare
// share it.
package view
