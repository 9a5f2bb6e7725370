package main

import (
	"flag"
	"fmt"
	"io"

	"ringbench/bench"
)

func cmdEnv(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("env", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	probes := bench.Probe()
	blocking := 0
	for _, p := range probes {
		state := "ok  "
		switch {
		case !p.OK && p.Blocks:
			state = "FAIL"
			blocking++
		case !p.OK:
			state = "no  "
		}
		fmt.Fprintf(stdout, "%s %-22s %s\n", state, p.Name, p.Detail)
	}
	if blocking > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d of the FAIL lines above stop ringbench from running here; fix them first", blocking)}
	}
	return nil
}
