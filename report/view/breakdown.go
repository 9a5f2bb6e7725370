package view

import "ringbench/schema"

// BreakdownPhases are run.json's breakdown phases in order, emission to
// read, with what each is called in the report.
var BreakdownPhases = []struct{ Key, Label string }{
	{"wakeup", "emission → woken"},
	{"run_queue", "woken → on CPU"},
	{"syscall_exit", "on CPU → wait returns"},
	{"read", "wait returns → read"},
}

// BreakdownKey is the summary key of a phase's figure, e.g. "mean_ns".
func BreakdownKey(phase, figure string) string { return "breakdown.phases." + phase + "." + figure }

// BreakdownGroups are the scenarios with a latency breakdown, by transport
// and rate, in run order.
func BreakdownGroups(measured []schema.Scenario) [][]schema.Scenario {
	var order []string
	groups := map[string][]schema.Scenario{}
	for _, s := range measured {
		if _, ok := s.Summary[BreakdownKey("wakeup", "mean_ns")]; !ok || !s.Params.Breakdown {
			continue
		}
		k := s.Params.Transport + " " + s.Params.RateKey()
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], s)
	}
	out := make([][]schema.Scenario, 0, len(order))
	for _, k := range order {
		out = append(out, groups[k])
	}
	return out
}

// NoiseFloorNs is the machine's noise floor as the report uses it, in
// report.md and on the latency charts: the largest gap p99 the noise probe
// saw on any CPU.
func NoiseFloorNs(e schema.Env) (int64, bool) {
	var floor int64
	for _, n := range e.Noise {
		if n.GapP99Ns != nil && *n.GapP99Ns > floor {
			floor = *n.GapP99Ns
		}
	}
	return floor, floor > 0
}
