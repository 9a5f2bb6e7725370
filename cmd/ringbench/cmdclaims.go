package main

import (
	"fmt"
	"io"

	"github.com/cilium/ebpf/rlimit"

	"ringbench/claims"
	"ringbench/schema"
)

const claimsUsage = `Usage: ringbench claims [flags]

Puts the claims of CLAIMS.md to the test on this kernel and prints, for each,
its verdict (holds, refuted, partly, inconclusive) and the evidence. Examples:

  ringbench claims
  ringbench claims --only C1,C3 --json claims.json
  ringbench claims --from results/20261123T203854Z-6.18.44-vm

Flags:
`

func cmdClaims(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("claims", claimsUsage, stderr)
	only := fs.String("only", "", "claims to check, e.g. C1,C3 (default all)")
	jsonOut := fs.String("json", "", "also write the verdicts as JSON to this file")
	measure := fs.Bool("measure", true, "run short scenarios for the performance claims (C6–C9, C11)")
	budget := fs.Duration("budget", claims.DefaultBudget, "total time for those scenarios")
	from := fs.String("from", "", "decide the performance claims from this results folder instead of measuring")
	rate := fs.Uint64("rate", 100_000, "highest offered rate of the performance scenarios, events/s")
	if ok, err := parseFlagsOnly(fs, args); !ok {
		return err
	}
	ids, err := claims.ParseOnly(*only)
	if err != nil {
		return usageError{err.Error()}
	}
	if *budget <= 0 || *rate < 1 {
		return usagef("budget and rate must be positive")
	}
	o := claims.Options{Only: ids, Measure: *measure, Budget: *budget, Rate: *rate, Log: stderr}
	if *from != "" {
		if o.From, err = schema.ReadResult(schema.RunPath(*from)); err != nil {
			return usagef("--from: %v", err)
		}
	}
	if !privileged() {
		fmt.Fprintln(stderr, "ringbench: "+privilegeHelp+"; without it every experiment is inconclusive")
	} else if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("raise RLIMIT_MEMLOCK: %w", err)
	}
	ctx, caught := signalContext()
	results := claims.Run(ctx, o)
	if ctx.Err() != nil {
		sig := caught()
		return exitError{code: 128 + int(sig), msg: fmt.Sprintf("interrupted by %v: nothing written", sig)}
	}
	claims.Print(stdout, results)
	if *jsonOut != "" {
		if err := schema.WriteJSON(*jsonOut, results); err != nil {
			return err
		}
	}
	return nil
}
