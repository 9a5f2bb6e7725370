package bench

import (
	"context"

	"ringbench/schema"
)

// Repetitions runs a resolved scenario's repetitions, each in a child
// process of its own (RunIsolated), and returns the scenario with its runs
// and their summary: the one loop ringbench run, ringbench matrix and the
// claims share. before and after, when set, hear of each repetition (0-based)
// as it starts and ends, for progress lines, histograms and warnings. A
// cancelled ctx ends it with ErrInterrupted.
func Repetitions(ctx context.Context, p Params, reps int, before func(rep int), after func(rep int, o Outcome)) (Scenario, error) {
	sc := Scenario{ID: p.ID(), Params: p}
	for rep := range reps {
		if before != nil {
			before(rep)
		}
		o, err := RunIsolated(ctx, p, nil)
		if ctx.Err() != nil {
			return sc, ErrInterrupted
		}
		if err != nil {
			return sc, err
		}
		if after != nil {
			after(rep, o)
		}
		sc.Runs = append(sc.Runs, o.Run)
	}
	sc.Summary = schema.Summarize(sc.Runs)
	return sc, nil
}
