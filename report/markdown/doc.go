// Package markdown writes report.md for a design review: which mode to use
// when (sentences computed from the run's figures), the claims' verdicts,
// the charts, where the latency goes, every scenario's figures, the flags
// raised, and the environment.
package markdown
