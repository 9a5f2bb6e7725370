package main

import (
	"fmt"
	"io"

	"ringbench/bench"
)

func cmdEnv(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("env", "Usage: ringbench env\n\nWhat this machine can do, one line per capability; exit 1 if a FAIL line\nstops ringbench from running here.\n", stderr)
	if ok, err := parseFlagsOnly(fs, args); !ok {
		return err
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
