package main

import (
	"fmt"
	"io"

	"ringbench/bench"
	"ringbench/internal/cpu"
)

func cmdEnv(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("env", "Usage: ringbench env [--noise 2s]\n\nWhat this machine can do, one line per capability; exit 1 if a FAIL line\nstops ringbench from running here. Then each online CPU's noise floor: what a\npinned thread reading the clock in a tight loop loses to gaps over 1 µs.\n", stderr)
	noise := fs.Duration("noise", bench.DefaultNoiseTime, "probe each online CPU's noise floor for this long (0: skip)")
	if ok, err := parseFlagsOnly(fs, args); !ok {
		return err
	}
	if *noise < 0 {
		return usagef("noise %v: want a duration, or 0 to skip the probe", *noise)
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
	if *noise > 0 {
		online, err := cpu.Online()
		if err != nil {
			return err
		}
		for _, n := range bench.ProbeNoise(online, *noise) {
			state := "ok  "
			if n.Error != "" {
				state = "no  "
			}
			fmt.Fprintf(stdout, "%s %-22s %s\n", state, "noise floor", n)
		}
	}
	return nil
}
