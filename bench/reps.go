package bench

import (
	"context"

	"ringbench/schema"
)

// Repetitions runs a resolved scenario's repetitions, each in a child
// process of its own (RunIsolated), and returns the scenario with its runs
// and their summary: the one loop ringbench run, ringbench matrix and the
// claims share (through Interleaved). before and after, when set, hear of
// each repetition (0-based) as it starts and ends, for progress lines,
// histograms and warnings. A cancelled ctx ends it with ErrInterrupted.
func Repetitions(ctx context.Context, p Params, reps int, before func(rep int), after func(rep int, o Outcome)) (Scenario, error) {
	scs, err := Interleaved(ctx, []Params{p}, reps,
		func(_, rep int) {
			if before != nil {
				before(rep)
			}
		},
		func(_, rep int, o Outcome) {
			if after != nil {
				after(rep, o)
			}
		})
	if len(scs) == 0 {
		return Scenario{ID: p.ID(), Params: p}, err
	}
	return scs[0], err
}

// runIsolated is RunIsolated; a test of the order of repetitions swaps it.
var runIsolated = RunIsolated

// Interleaved runs the repetitions of several scenarios a round at a time:
// the first repetition of each, in order, then the second of each… (A, B,
// A, B…), so that a machine's drift falls on all of them alike. before and
// after hear of scenario i's repetition rep.
func Interleaved(ctx context.Context, ps []Params, reps int, before func(i, rep int), after func(i, rep int, o Outcome)) ([]Scenario, error) {
	scs := make([]Scenario, len(ps))
	for i, p := range ps {
		scs[i] = Scenario{ID: p.ID(), Params: p}
	}
	for rep := range reps {
		for i, p := range ps {
			before(i, rep)
			o, err := runIsolated(ctx, p, nil)
			if ctx.Err() != nil {
				return scs, ErrInterrupted
			}
			if err != nil {
				return scs, err
			}
			after(i, rep, o)
			scs[i].Runs = append(scs[i].Runs, o.Run)
		}
	}
	for i := range scs {
		scs[i].Summary = schema.Summarize(scs[i].Runs)
	}
	return scs, nil
}
