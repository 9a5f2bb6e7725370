package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"ringbench/report"
	"ringbench/report/markdown"
	"ringbench/schema"
)

const reportUsage = `Usage: ringbench report [--latency-budget D] RUN_DIR|RUN_DIR/run.json

Writes RUN_DIR/report.md for a design review: which read mode to use when,
computed from the run's figures, the claims' verdicts (from RUN_DIR/claims.json
when present), the charts (drawn into RUN_DIR/plots), every scenario's
figures, and what went wrong. Needs no privileges; rerunning it gives the
same file. Example:

  ringbench report results/20261123T221345Z-6.18.44-fc-v669-vm
`

func cmdReport(stdout, stderr io.Writer, args []string) error {
	flags := newFlags("report", reportUsage, stderr)
	budget := flags.Duration("latency-budget", markdown.DefaultLatencyBudget, "the p99 a mode must stay within for the decision table to recommend it")
	if ok, err := parseFlags(flags, args); !ok {
		return err
	}
	if *budget <= 0 {
		return usagef("latency-budget %v: want a positive duration, e.g. 500us or 2ms", *budget)
	}
	switch {
	case flags.NArg() == 0:
		return usagef("report needs a run folder (e.g. ringbench report results/…)")
	case flags.NArg() > 1:
		return usagef("report takes one run folder, got %d arguments", flags.NArg())
	}
	dir := flags.Arg(0)
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return usagef("%s: no such run folder", dir)
	}
	if err != nil {
		return usagef("%v", err)
	}
	if !st.IsDir() {
		if filepath.Base(dir) != "run.json" {
			return usagef("%s: want a run folder or its run.json", dir)
		}
		dir = filepath.Dir(dir)
	}
	// Read the inputs first, so bad input is a usage error and writes
	// nothing.
	if _, err := schema.ReadResult(filepath.Join(dir, "run.json")); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return usagef("%s has no run.json: not a run folder", dir)
		}
		return usagef("%v", err)
	}
	if _, err := schema.ReadClaims(filepath.Join(dir, "claims.json")); err != nil {
		return usagef("%v (rewrite it with ringbench claims --json, or remove it)", err)
	}
	path, err := report.WriteReport(dir, markdown.Options{LatencyBudget: *budget})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintln(stdout, path)
	return nil
}
