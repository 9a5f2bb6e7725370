package main

import (
	"fmt"
	"io"

	"ringbench/internal/cpu"
	"ringbench/machine"
	"ringbench/readiness"
	"ringbench/schema"
)

func cmdEnv(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("env", "Usage: ringbench env [--noise 2s]\n\nWhat this machine can do, one line per capability; exit 1 if a FAIL line\nstops ringbench from running here. Then one perf-box line per readiness check\n(cpufreq governor, turbo, SMT, CPU isolation, IRQs, clocksource, THP,\nC-states, BPF JIT, hypervisor): ok, warn with the command that fixes it, or ?\nwhen the machine does not tell; ringbench never applies a fix, and warnings\nnever change the exit code. Then each online CPU's noise floor: what a\npinned thread reading the clock in a tight loop loses to gaps over 1 µs.\n", stderr)
	noise := fs.Duration("noise", machine.DefaultNoiseTime, "probe each online CPU's noise floor for this long (0: skip)")
	if ok, err := parseFlagsOnly(fs, args); !ok {
		return err
	}
	if *noise < 0 {
		return usagef("noise %v: want a duration, or 0 to skip the probe", *noise)
	}
	probes := machine.Probe()
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
	online, onlineErr := cpu.Online() // without it the per-CPU checks say so; the others still run
	printReadiness(stdout, readiness.System(online))
	if blocking > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d of the FAIL lines above stop ringbench from running here; fix them first", blocking)}
	}
	if *noise > 0 {
		if onlineErr != nil {
			return onlineErr
		}
		for _, n := range machine.ProbeNoise(online, *noise) {
			state := "ok  "
			if n.Error != "" {
				state = "no  "
			}
			fmt.Fprintf(stdout, "%s %-22s %s\n", state, "noise floor", n)
		}
	}
	return nil
}

// printReadiness writes one line per perf-box check, in the columns of the
// capability lines; a warning's fix follows on the same line.
func printReadiness(w io.Writer, findings []schema.Finding) {
	for _, f := range findings {
		state := "ok  "
		switch f.Status {
		case schema.ReadinessWarn:
			state = "warn"
		case schema.ReadinessUnknown:
			state = "?   "
		}
		line := fmt.Sprintf("%s %-22s %s", state, "perf-box "+f.Check, f.Found)
		if f.Fix != "" {
			line += "; fix: " + f.Fix
		}
		fmt.Fprintln(w, line)
	}
}
