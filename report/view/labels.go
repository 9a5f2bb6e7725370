package view

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ringbench/schema"
)

// ModeLabel names how a scenario reads: the mode, with its wait when it
// has a choice (epoll's thread and netpoll are different designs with
// different costs), as env.modes lists them.
func ModeLabel(p schema.Params) string { return schema.ModeLabel(p.Mode, p.Wait) }

// ModeOrder is the chart order of mode labels: the run's record of the
// modes its ringbench knew (env.modes), or, for a run from before that was
// recorded, the order this ringbench used then.
func ModeOrder(known []string) []string {
	if len(known) == 0 {
		return []string{"reader", "spin", "epoll-thread", "epoll-netpoll", "epoll"}
	}
	return known
}

// Variant names every knob of a scenario except transport, mode and rate:
// the scenarios of one variant form a sweep that charts can draw as lines
// per mode against rate.
func Variant(p schema.Params) string {
	parts := []string{"wakeup=" + p.Wakeup, "hashmap=" + p.Hashmap,
		fmt.Sprintf("batch=%d", p.Batch), fmt.Sprintf("payload=%d", p.Payload),
		fmt.Sprintf("producers=%d", p.Producers), fmt.Sprintf("ring=%d", p.RingBytes),
		"delivery=" + p.Delivery, "work=" + p.Work}
	if p.Backoff != "" && p.Backoff != "none" {
		parts = append(parts, "backoff="+p.Backoff)
	}
	if p.Output {
		parts = append(parts, "output")
	}
	if p.B2B {
		parts = append(parts, "b2b")
	}
	if !p.Pin && p.Wait != "netpoll" {
		parts = append(parts, "nopin")
	}
	if p.Breakdown {
		parts = append(parts, "breakdown")
	}
	return strings.Join(parts, " ")
}

// Measured lists the scenarios with at least one completed repetition, in
// run order; skipped scenarios and ones whose every repetition failed have
// nothing to draw or compare.
func Measured(r *schema.Result) []schema.Scenario {
	var out []schema.Scenario
	for _, s := range r.Scenarios {
		if s.Skipped == "" && len(s.Summary) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// BaseVariant is the variant most of scenarios share; ties go to the
// variant seen first. Call it on one transport's scenarios (BaseSweep
// does): wakeup policies are named per transport (ringbuf adaptive,
// perfbuf wakeup_events=N), so no one variant covers both.
func BaseVariant(scenarios []schema.Scenario) string {
	count := map[string]int{}
	var order []string
	for _, s := range scenarios {
		v := Variant(s.Params)
		if count[v] == 0 {
			order = append(order, v)
		}
		count[v]++
	}
	sort.SliceStable(order, func(i, j int) bool { return count[order[i]] > count[order[j]] })
	if len(order) == 0 {
		return ""
	}
	return order[0]
}

// BaseSweep is the rate sweep of transport among scenarios: its
// scenarios of the transport's base variant, in run order, the ones the
// charts and report.md compare modes on.
func BaseSweep(scenarios []schema.Scenario, transport string) (variant string, sweep []schema.Scenario) {
	var of []schema.Scenario
	for _, s := range scenarios {
		if s.Params.Transport == transport {
			of = append(of, s)
		}
	}
	variant = BaseVariant(of)
	for _, s := range of {
		if Variant(s.Params) == variant {
			sweep = append(sweep, s)
		}
	}
	return variant, sweep
}

// Transports lists the transports of scenarios in run order.
func Transports(scenarios []schema.Scenario) []string {
	var out []string
	for _, s := range scenarios {
		if !slices.Contains(out, s.Params.Transport) {
			out = append(out, s.Params.Transport)
		}
	}
	return out
}

// VariantDiff lists the knobs of p's variant that base (a Variant) lacks:
// "delivery=channel:64 work=200,128".
func VariantDiff(base string, p schema.Params) string {
	have := strings.Fields(base)
	var out []string
	for _, f := range strings.Fields(Variant(p)) {
		if !slices.Contains(have, f) {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}
