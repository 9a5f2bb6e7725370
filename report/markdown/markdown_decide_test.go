package markdown

import (
	"bytes"
	"strings"
	"testing"

	"ringbench/schema"
)

// decideRun is a repetition with the figures the decision table reads.
func decideRun(rate, consumed, dropped, cpu, p99 float64) schema.Run {
	r := schema.Run{}
	r.Throughput.ConsumedEPS, r.Throughput.DroppedEPS = consumed, dropped
	r.OS.CPUNsPerEvent = &cpu
	l := int64(p99)
	r.LatencyNs.P99 = &l
	if dropped > 0 {
		r.Events.WindowDropped = uint64(dropped)
	}
	return r
}

// decideScenario is mode at rate, at its natural wakeup policy on ringbuf,
// with six repetitions whose CPU per event spreads around cpu by ±spread.
func decideScenario(mode string, rate uint64, consumedShare, dropped, cpu, spread, p99 float64) schema.Scenario {
	p := schema.Defaults()
	p.Mode, p.Wakeup, p.Rate = mode, "adaptive", rate
	if mode == "spin" {
		p.Wakeup = "none"
	}
	var runs []schema.Run
	for i := range 6 {
		d := spread * float64(i%3-1)
		runs = append(runs, decideRun(float64(rate), consumedShare*float64(rate), dropped, cpu+d, p99))
	}
	s := schema.Scenario{ID: p.ID(), Params: p, Runs: runs}
	s.Summary = schema.Summarize(runs)
	return s
}

func decisionTable(t *testing.T, o Options, ss ...schema.Scenario) string {
	t.Helper()
	var b bytes.Buffer
	mdDecisionTable(&b, &schema.Result{Scenarios: ss}, o)
	return b.String()
}

func row(t *testing.T, table, rate string) string {
	t.Helper()
	i := strings.Index(table, "| "+rate+" ")
	if i < 0 {
		t.Fatalf("no row for %s:\n%s", rate, table)
	}
	return table[i : i+strings.Index(table[i:], "\n")]
}

func TestDecisionTable(t *testing.T) {
	table := decisionTable(t, Options{},
		// 10k: epoll is clearly cheaper than the reader.
		decideScenario("epoll", 10_000, 1, 0, 2000, 50, 50_000),
		decideScenario("reader", 10_000, 1, 0, 4000, 50, 60_000),
		decideScenario("spin", 10_000, 1, 0, 100_000, 50, 5_000),
		// 100k: epoll and the reader within noise; spin drops.
		decideScenario("epoll", 100_000, 1, 0, 1000, 300, 80_000),
		decideScenario("reader", 100_000, 1, 0, 1100, 300, 90_000),
		decideScenario("spin", 100_000, 0.9, 5000, 10_000, 50, 5_000),
		// 400k: nobody keeps up.
		decideScenario("epoll", 400_000, 0.5, 0, 500, 10, 80_000),
		decideScenario("reader", 400_000, 0.4, 0, 600, 10, 90_000),
		decideScenario("spin", 400_000, 0.3, 9000, 900, 10, 5_000),
	)
	if r := row(t, table, "10k ev/s"); !strings.Contains(r, "| epoll · adaptive | reader · adaptive |") {
		t.Errorf("clear winner: %s", r)
	}
	if r := row(t, table, "100k ev/s"); !strings.Contains(r, "epoll · adaptive or reader · adaptive (within noise)") {
		t.Errorf("tie within noise: %s", r)
	}
	if r := row(t, table, "400k ev/s"); !strings.Contains(r, "none sustains it") || !strings.Contains(r, "(beyond what any mode sustained)") {
		t.Errorf("no mode sustaining: %s", r)
	}
	if !strings.Contains(row(t, table, "10k ev/s"), "(low)") || !strings.Contains(row(t, table, "100k ev/s"), "(the highest sustained)") {
		t.Errorf("rate bands:\n%s", table)
	}
	if !strings.Contains(table, "at 100k ev/s, spin · none: consumed 90k of 100k ev/s, dropped 5k/s, where epoll · adaptive sustained it") {
		t.Errorf("the mode that drops is not in the avoid line:\n%s", table)
	}
	// A tight budget leaves only spin, whose p99 is 5 µs, at 10k.
	tight := decisionTable(t, Options{LatencyBudget: 10_000},
		decideScenario("epoll", 10_000, 1, 0, 2000, 50, 50_000),
		decideScenario("spin", 10_000, 1, 0, 100_000, 50, 5_000))
	if r := row(t, tight, "10k ev/s"); !strings.Contains(r, "| spin · none | — |") || !strings.Contains(tight, "epoll · adaptive: p99 50 µs, over the budget") {
		t.Errorf("budget of 10 µs:\n%s", tight)
	}
}

// Spin with wakeups it never sleeps on is no line of the base sweep, and
// the table's avoid list says what those wakeups cost the producer.
func TestDecisionTableWastedWakeups(t *testing.T) {
	wasted := decideScenario("spin", 100_000, 1, 0, 9000, 50, 5_000)
	wasted.Params.Wakeup = "adaptive"
	wasted.ID = wasted.Params.ID()
	bpfNs := func(s schema.Scenario, ns float64) schema.Scenario {
		for i := range s.Runs {
			s.Runs[i].Producer.BPFNsPerEvent = &ns
		}
		s.Summary = schema.Summarize(s.Runs)
		return s
	}
	table := decisionTable(t, Options{},
		bpfNs(decideScenario("epoll", 100_000, 1, 0, 2000, 50, 50_000), 450),
		bpfNs(decideScenario("spin", 100_000, 1, 0, 10_000, 50, 5_000), 400),
		bpfNs(wasted, 5300))
	if r := row(t, table, "100k ev/s"); strings.Contains(r, "spin · adaptive") {
		t.Errorf("spin with adaptive wakeups is in the base sweep: %s", r)
	}
	want := "at 100k ev/s, spin with adaptive wakeups (it never sleeps on them): BPF/event 5.3 µs against 400 ns with none"
	if !strings.Contains(table, want) {
		t.Errorf("avoid list lacks %q:\n%s", want, table)
	}
}

// At max rate the saturation row ranks the modes by what they read.
func TestDecisionTableSaturation(t *testing.T) {
	capacity := func(mode string, consumed float64) schema.Scenario {
		s := decideScenario(mode, 0, 0, 0, 100, 5, 50_000)
		for i := range s.Runs {
			s.Runs[i].Throughput.ConsumedEPS = consumed * (1 + 0.01*float64(i%3))
		}
		s.Params.Batch = 500
		s.ID = s.Params.ID()
		s.Summary = schema.Summarize(s.Runs)
		return s
	}
	table := decisionTable(t, Options{},
		decideScenario("epoll", 10_000, 1, 0, 2000, 50, 50_000),
		decideScenario("spin", 10_000, 1, 0, 2000, 50, 50_000),
		decideScenario("epoll", 100_000, 1, 0, 2000, 50, 50_000),
		decideScenario("spin", 100_000, 1, 0, 2000, 50, 50_000),
		capacity("epoll", 3e6), capacity("spin", 5e6), capacity("reader", 4.9e6))
	r := row(t, table, "saturation (max rate, payload 64 B, batch 500): the most read")
	if !strings.Contains(r, "| spin · none, 5.05M [5M–5.1M] ev/s | reader · adaptive, 4.95M") {
		t.Errorf("saturation row: %s", r)
	}
}

// A run from before the presets gave spin its natural policy still shows
// spin's capacity, as it ran; with the natural one beside it, only that.
func TestCapacityAsRan(t *testing.T) {
	capacity := func(mode, wakeup string) schema.Scenario {
		s := decideScenario(mode, 0, 0, 0, 100, 5, 50_000)
		for i := range s.Runs {
			s.Runs[i].Throughput.ConsumedEPS = 5e6
		}
		s.Params.Batch, s.Params.Wakeup = 500, wakeup
		s.ID = s.Params.ID()
		s.Summary = schema.Summarize(s.Runs)
		return s
	}
	paced := []schema.Scenario{decideScenario("epoll", 10_000, 1, 0, 2000, 50, 50_000),
		decideScenario("spin", 10_000, 1, 0, 2000, 50, 50_000), decideScenario("epoll", 100_000, 1, 0, 2000, 50, 50_000)}
	old := decisionTable(t, Options{}, append(paced, capacity("spin", "adaptive"))...)
	if r := row(t, old, "saturation (max rate, payload 64 B, batch 500): the most read"); !strings.Contains(r, "| spin · adaptive, 5M") {
		t.Errorf("as it ran: %s", r)
	}
	both := decisionTable(t, Options{}, append(paced, capacity("spin", "adaptive"), capacity("spin", "none"))...)
	if r := row(t, both, "saturation (max rate, payload 64 B, batch 500): the most read"); !strings.Contains(r, "| spin · none, 5M") || strings.Contains(r, "spin · adaptive") {
		t.Errorf("natural beside: %s", r)
	}
}
