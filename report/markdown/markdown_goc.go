package markdown

import (
	"bytes"
	"fmt"
	"strings"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// gocFigure is one column of "Go against C": a label, its unit, and how
// to read it from a run.
type gocFigure struct {
	label string
	unit  schema.Unit
	of    func(schema.Run, map[string]float64) (float64, bool)
}

// gocFigures are what the consumer gets through, what it burns per event,
// its latency, and what recording itself cost per event (the harness, C's
// recorder or Go's, which the CPU and latency figures include); the
// catalog's, but for the consumer's CPU.
var gocFigures = func() []gocFigure {
	var out []gocFigure
	for _, m := range schema.MetricsAt("throughput.consumed_eps", "os.cpu_ns_per_event",
		"latency_ns.p50", "latency_ns.p99", "consumer.harness_ns_per_event") {
		f := gocFigure{label: m.Label, unit: m.Unit, of: func(_ schema.Run, fig map[string]float64) (float64, bool) {
			v, ok := fig[m.Path]
			return v, ok
		}}
		if m.Path == "os.cpu_ns_per_event" {
			f.label, f.of = "consumer CPU/event", consumerCPU
		}
		out = append(out, f)
	}
	return out
}()

// consumerCPU is the consumer's CPU per event. Back to back the producer
// program runs in the consumer's thread, inside its trigger syscall, so
// its run time (producer.bpf_ns_per_event) is taken out: what is left is
// the reading, the same for Go and C but for the language.
func consumerCPU(r schema.Run, fig map[string]float64) (float64, bool) {
	cpu, ok := fig["os.cpu_ns_per_event"]
	if !ok || r.Producer.Topology != schema.TopologyB2B {
		return cpu, ok
	}
	bpf, ok := fig["producer.bpf_ns_per_event"]
	return cpu - bpf, ok
}

// gocPair is a Go mode and the C mode that does the same in C, run at the
// same configuration.
type gocPair struct {
	config  string // the configuration, for people
	goS, cS schema.Scenario
}

// gocPairs finds, per transport, every scenario of a C mode and its Go
// twin's (env.mode_twins) at the same configuration: every knob equal but
// the mode, its wait and how it commits.
func gocPairs(r *schema.Result) map[string][]gocPair {
	twins := r.Env.ModeTwins
	if len(twins) == 0 {
		return nil
	}
	configOf := func(p schema.Params) string {
		p.Mode, p.Wait, p.Backoff, p.Commit = "", "", "", ""
		return p.ID()
	}
	byConfig := map[string]map[string]schema.Scenario{}
	for _, s := range view.Measured(r) {
		k := configOf(s.Params)
		if byConfig[k] == nil {
			byConfig[k] = map[string]schema.Scenario{}
		}
		byConfig[k][view.ModeLabel(s.Params)] = s
	}
	out := map[string][]gocPair{}
	for _, s := range view.Measured(r) {
		goLabel, isC := twins[view.ModeLabel(s.Params)]
		if !isC {
			continue
		}
		if g, ok := byConfig[configOf(s.Params)][goLabel]; ok {
			out[s.Params.Transport] = append(out[s.Params.Transport], gocPair{config: gocConfig(s.Params), goS: g, cS: s})
		}
	}
	return out
}

// gocConfig names a configuration: rate, batch, and what differs from the
// defaults that matters here.
func gocConfig(p schema.Params) string {
	parts := []string{view.RateOf(p)}
	d := schema.Defaults()
	if p.Batch != d.Batch {
		parts = append(parts, fmt.Sprintf("batch %d", p.Batch))
	}
	if p.Payload != d.Payload && !p.NoLatency {
		parts = append(parts, fmt.Sprintf("%d B", p.Payload))
	}
	parts = append(parts, p.Wakeup)
	if p.NoLatency {
		parts = append(parts, "no latency (8-byte events)")
	}
	return strings.Join(parts, ", ")
}

// gocRatio is Go's figure over C's, repetition by repetition: an
// interleaved block ran them in turn, so each pair shared the machine's
// state of the moment. The median of the ratios, with its 95% interval
// (benchmath.AssumeNothing) when there are enough pairs for one, else their
// range.
func gocRatio(goS, cS schema.Scenario, f gocFigure) (goMed, cMed float64, ratio string, ok bool) {
	var gs, cs, ratios []float64
	for i := range min(len(goS.Runs), len(cS.Runs)) {
		a, b := goS.Runs[i], cS.Runs[i]
		if !a.Trusted() || !b.Trusted() {
			continue
		}
		x, okX := f.of(a, schema.Figures(a))
		y, okY := f.of(b, schema.Figures(b))
		if !okX || !okY {
			continue
		}
		gs, cs = append(gs, x), append(cs, y)
		if y != 0 {
			ratios = append(ratios, x/y)
		}
	}
	if len(gs) == 0 {
		return 0, 0, "", false
	}
	goMed, cMed = mdSummarize(gs).med, mdSummarize(cs).med
	if len(ratios) == 0 {
		return goMed, cMed, "—", true
	}
	st := mdSummarize(ratios)
	ci := "95% CI"
	if st.ranged {
		ci = fmt.Sprintf("range of %d", len(ratios))
	}
	return goMed, cMed, fmt.Sprintf("%s× [%s–%s %s]", format.Sig3(st.med), format.Sig3(st.lo), format.Sig3(st.hi), ci), true
}

// mdGoAgainstC writes the report's "Go against C": what Go costs over the
// same consumer written in C, in this run.
func mdGoAgainstC(b *bytes.Buffer, r *schema.Result) {
	pairs := gocPairs(r)
	if len(pairs) == 0 {
		return
	}
	b.WriteString("## Go against C\n\n")
	b.WriteString("Each C mode beside the Go mode it does in C, at the same configuration and over the same producer: " +
		"`libbpf` (libbpf's `ring_buffer__poll` / `perf_buffer__poll` through cgo) beside `reader` (cilium/ebpf's readers), " +
		"`c-mmap` beside `spin` and `epoll-thread` (the same mmap loop, in C). Both record every event with the same rules " +
		"(`modes/cring/rec.h` is the Recorder's twin). Cells are Go · C (medians over repetitions) and Go/C, the median of " +
		"the per-repetition ratios with its 95% interval, or their range when there are too few repetitions for one; a " +
		"block run with `interleave` alternates the two, so each pair shares the machine's moment. A ratio above 1 is Go " +
		"getting through more (consumed/s) or paying more (the others). \"consumer CPU\" is the consumer's process CPU " +
		"per event; back to back the producer program runs in the consumer's own trigger syscall, and its run time " +
		"(BPF/event) is taken out. \"harness\" is what recording itself cost per event, in Go or in C, and is part of " +
		"the CPU and latency figures.\n\n")
	for _, tr := range view.Transports(view.Measured(r)) {
		ps := pairs[tr]
		if len(ps) == 0 {
			continue
		}
		fmt.Fprintf(b, "**%s**\n\n| configuration | Go · C |", tr)
		for _, f := range gocFigures {
			b.WriteString(" " + f.label + " |")
		}
		b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(gocFigures)) + "\n")
		for _, p := range ps {
			fmt.Fprintf(b, "| %s | %s · %s |", p.config, view.ModeLabel(p.goS.Params), view.ModeLabel(p.cS.Params))
			for _, f := range gocFigures {
				g, c, ratio, ok := gocRatio(p.goS, p.cS, f)
				if !ok {
					b.WriteString(" — |")
					continue
				}
				u := view.UnitFormat(f.unit)
				fmt.Fprintf(b, " %s · %s: %s |", u(g), u(c), ratio)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
}
