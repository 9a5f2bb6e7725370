package claims

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ringbench/bench"
	"ringbench/modes"
	"ringbench/schema"
)

// The fixtures are the scenarios Plan asks for, resolved as the runner
// resolves them, with figures written in code: a world where every claim
// holds, and edits of it that give another kernel's answers.

const planTop = 100_000 // C7's rate; medium 10k, low 1k, and max

func st(mean, sd float64, n int) schema.Stat {
	return schema.Stat{Mean: mean, Stddev: &sd, Min: mean - sd, Max: mean + sd, N: n}
}

// fig is a figure with the 3% spread and 3 repetitions of a quiet machine.
func fig(mean float64) schema.Stat { return st(mean, 0.03*mean, 3) }

func planned(t *testing.T) *schema.Result {
	t.Helper()
	r := &schema.Result{Schema: schema.Schema}
	for _, p := range Plan(planTop, 2, 0.5, 3) {
		if err := bench.Resolve(&p, []int{0, 1}); err != nil {
			t.Fatalf("%s: %v", p.ID(), err)
		}
		r.Scenarios = append(r.Scenarios, schema.Scenario{ID: p.ID(), Params: p, Summary: holdsWorld(p)})
	}
	return r
}

// holdsWorld gives each scenario figures under which every claim holds.
func holdsWorld(p schema.Params) map[string]schema.Stat {
	f := map[string]schema.Stat{}
	set := func(k string, v float64) { f[k] = fig(v) }
	netpoll := p.Mode == "epoll" && p.Wait == modes.WaitNetpoll
	byMode := func(reader, spin, epoll float64) float64 {
		switch {
		case p.Mode == "spin":
			return spin
		case p.Mode == "epoll":
			return epoll
		}
		return reader
	}
	thr := float64(p.Rate)
	if p.Rate == 0 {
		thr = byMode(600e3, 900e3, 800e3)
		switch {
		case p.Hashmap == "prealloc":
			thr = 500e3
		case p.Hashmap == "noprealloc":
			thr = 445e3 // −11%
		case allocates(p.Work) && p.Pin:
			thr = 550e3
		case allocates(p.Work):
			thr = 480e3 // pinned +14.6%
		}
	}
	set("throughput.consumed_eps", thr)
	set("latency_ns.p50", byMode(30e3, 150, 20e3))
	set("latency_ns.p99", byMode(50e3, 1e3, 40e3))
	set("latency_ns.p999", 2*f["latency_ns.p99"].Mean)
	switch p.Hashmap {
	case "prealloc":
		set("latency_ns.p99", 100e3)
		set("latency_ns.p999", 400e3)
	case "noprealloc":
		set("latency_ns.p99", 170e3)  // +70%
		set("latency_ns.p999", 1.6e6) // +300%
	}
	set("latency_ns.mean", byMode(25e3, 2e3, 25e3))
	cpu := byMode(6e3, 1.1e3, 3e3)
	if p.Mode == "spin" && p.Rate > 0 {
		cpu = 1e9 / float64(p.Rate) // a whole core over the events offered
	}
	set("os.cpu_ns_per_event", cpu)
	set("os.syscalls_per_event", byMode(1.2, 0.001, 0.5))
	if netpoll {
		set("latency_ns.mean", 12e3)
		set("os.syscalls_per_event", 1.5)
	}
	f["go.allocs_per_event"], f["go.gc_pauses"] = st(0, 0, 3), st(0, 0, 3)
	if allocates(p.Work) {
		set("go.allocs_per_event", 1)
		set("go.gc_pauses", 20)
		set("go.gc_pause_p99_ns", map[bool]float64{true: 400e3, false: 1.8e6}[p.Pin])
	}
	set("go.sched_events_per_event", 0.005)
	if allocates(p.Work) {
		set("go.sched_events_per_event", map[bool]float64{true: 0.01, false: 0.2}[p.Pin])
	}
	switch {
	case p.Wakeup == "none":
		set("producer.bpf_ns_per_event", 300)
		set("producer.trigger_p99_ns", 2e3)
	case strings.HasPrefix(p.Wakeup, "sampled:"):
		set("producer.bpf_ns_per_event", 320)
		set("producer.trigger_p99_ns", 2.1e3)
	default:
		set("producer.bpf_ns_per_event", 900)
		set("producer.trigger_p99_ns", 5e3)
	}
	f["memory.map_memlock.rbn_flows"] = st(map[string]float64{"none": 1168, "prealloc": 5e6, "noprealloc": 1.9e6}[p.Hashmap], 0, 3)
	return f
}

// edit sets metric in every scenario match accepts.
func edit(r *schema.Result, match func(schema.Params) bool, metric string, s schema.Stat) {
	for i := range r.Scenarios {
		if match(r.Scenarios[i].Params) {
			r.Scenarios[i].Summary[metric] = s
		}
	}
}

// unset makes metric null in the scenarios match accepts.
func unset(r *schema.Result, match func(schema.Params) bool, metric string) {
	for i := range r.Scenarios {
		if match(r.Scenarios[i].Params) {
			delete(r.Scenarios[i].Summary, metric)
		}
	}
}

// drop removes the scenarios match accepts.
func drop(r *schema.Result, match func(schema.Params) bool) {
	r.Scenarios = slices.DeleteFunc(r.Scenarios, func(s schema.Scenario) bool { return match(s.Params) })
}

// oneRep leaves the scenarios match accepts with a single repetition.
func oneRep(r *schema.Result, match func(schema.Params) bool) {
	for i := range r.Scenarios {
		if match(r.Scenarios[i].Params) {
			for k, s := range r.Scenarios[i].Summary {
				s.N, s.Stddev = 1, nil
				r.Scenarios[i].Summary[k] = s
			}
		}
	}
}

// plain matches C8's consumers: one mode at one rate, nothing else changed.
func plain(mode string, rate uint64) func(schema.Params) bool {
	return func(p schema.Params) bool {
		return p.Mode == mode && p.Rate == rate && p.Hashmap == "none" && p.Work == "0" &&
			p.Delivery == "inline" && p.Wakeup == "adaptive" && p.Wait != modes.WaitNetpoll
	}
}

func hashmap(kind string) func(schema.Params) bool {
	return func(p schema.Params) bool { return p.Hashmap == kind }
}

func pinned(pin bool) func(schema.Params) bool {
	return func(p schema.Params) bool { return allocates(p.Work) && p.Pin == pin }
}

func wakeup(w string) func(schema.Params) bool {
	return func(p schema.Params) bool {
		return p.Mode == "epoll" && p.Rate == planTop/10 && strings.HasPrefix(p.Wakeup, w)
	}
}

func isNetpoll(p schema.Params) bool { return p.Wait == modes.WaitNetpoll }

func claim(t *testing.T, r *schema.Result, id string) Result {
	t.Helper()
	for _, c := range Decide(r) {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("Decide gave no %s", id)
	return Result{}
}

func wantVerdict(t *testing.T, c Result, want Verdict, evidence ...string) {
	t.Helper()
	all := strings.Join(c.Evidence, "\n")
	if c.Verdict != want {
		t.Fatalf("%s: verdict %s, want %s\n%s", c.ID, c.Verdict, want, all)
	}
	for _, e := range evidence {
		if !strings.Contains(all, e) {
			t.Errorf("%s: evidence lacks %q\n%s", c.ID, e, all)
		}
	}
}

func TestDecideAllHold(t *testing.T) {
	r := planned(t)
	got := Decide(r)
	var ids []string
	used := map[string]bool{}
	for _, c := range got {
		ids = append(ids, c.ID)
		if c.Verdict != Holds {
			t.Errorf("%s: %s\n%s", c.ID, c.Verdict, strings.Join(c.Evidence, "\n"))
		}
		for _, s := range c.Scenarios {
			used[s] = true
		}
	}
	if want := []string{"C6", "C7", "C8", "C9", "C11"}; !slices.Equal(ids, want) {
		t.Errorf("claims %v, want %v", ids, want)
	}
	// Plan asks for exactly what Decide uses: nothing more.
	for _, s := range r.Scenarios {
		if !used[s.ID] {
			t.Errorf("planned scenario %s is used by no claim", s.ID)
		}
	}
}

func TestC6(t *testing.T) {
	t.Run("holds", func(t *testing.T) {
		wantVerdict(t, claim(t, planned(t), "C6"), Holds, "−11%", "(n=3)", "counts if", "2σ")
	})
	t.Run("refuted on a kernel where the flag costs nothing", func(t *testing.T) {
		r := planned(t)
		no := hashmap("noprealloc")
		edit(r, no, "throughput.consumed_eps", fig(505e3))
		edit(r, no, "latency_ns.p99", fig(95e3))
		edit(r, no, "latency_ns.p999", fig(400e3))
		edit(r, no, "memory.map_memlock.rbn_flows", st(5.5e6, 0, 3))
		wantVerdict(t, claim(t, r, "C6"), Refuted, "opposite direction", "half the claimed change would have been significant")
	})
	t.Run("partly: memory and throughput, not latency", func(t *testing.T) {
		r := planned(t)
		edit(r, hashmap("noprealloc"), "latency_ns.p99", fig(100e3))
		edit(r, hashmap("noprealloc"), "latency_ns.p999", fig(410e3))
		wantVerdict(t, claim(t, r, "C6"), Partly,
			"parts that hold: throughput −11%, map memory −63%; that do not: p99 127 → 214 µs, p99.9 389 → 1620 µs; undecided: none")
	})
	t.Run("partly: size off by more than 2x", func(t *testing.T) {
		r := planned(t)
		edit(r, hashmap("noprealloc"), "memory.map_memlock.rbn_flows", st(4e6, 0, 3)) // −20%: under half of −63%
		wantVerdict(t, claim(t, r, "C6"), Partly, "size outside the range")
	})
	t.Run("noise too large leaves a part undecided", func(t *testing.T) {
		r := planned(t)
		edit(r, hashmap("prealloc"), "latency_ns.p99", st(100e3, 200e3, 3))
		wantVerdict(t, claim(t, r, "C6"), Partly, "noise too large", "undecided: p99 127 → 214 µs")
	})
	t.Run("inconclusive without the pair", func(t *testing.T) {
		r := planned(t)
		drop(r, hashmap("noprealloc"))
		wantVerdict(t, claim(t, r, "C6"), Inconclusive, "prealloc vs noprealloc")
	})
	t.Run("inconclusive with one repetition", func(t *testing.T) {
		r := planned(t)
		oneRep(r, hashmap("prealloc"))
		wantVerdict(t, claim(t, r, "C6"), Inconclusive, "1 completed repetitions")
	})
}

func TestC7(t *testing.T) {
	spin := plain("spin", planTop)
	t.Run("holds", func(t *testing.T) {
		c := claim(t, planned(t), "C7")
		wantVerdict(t, c, Holds, "rate used: offered 100000 ev/s (the claim: 1,000,000 ev/s)", "no GC pause in any repetition", "µs")
		if len(c.Scenarios) != 2 {
			t.Errorf("scenarios %v, want spin and netpoll", c.Scenarios)
		}
	})
	t.Run("refuted", func(t *testing.T) {
		r := planned(t)
		edit(r, spin, "latency_ns.mean", fig(10e3))
		edit(r, spin, "os.syscalls_per_event", fig(0.05))
		edit(r, spin, "go.allocs_per_event", fig(0.5))
		edit(r, spin, "go.gc_pauses", fig(10))
		edit(r, spin, "go.gc_pause_p99_ns", fig(2e6))
		edit(r, isNetpoll, "go.gc_pause_p99_ns", fig(1e6))
		wantVerdict(t, claim(t, r, "C7"), Refuted, "size outside the range", "spin 0.05 ± 0.0015 syscalls/event (n=3)")
	})
	t.Run("inconclusive without netpoll", func(t *testing.T) {
		r := planned(t)
		drop(r, isNetpoll)
		wantVerdict(t, claim(t, r, "C7"), Inconclusive, "netpoll")
	})
	t.Run("GC pause null in some reps leaves that part undecided", func(t *testing.T) {
		r := planned(t)
		edit(r, spin, "go.gc_pauses", st(1, 1, 3))
		wantVerdict(t, claim(t, r, "C7"), Partly, "undecided: no GC impact", "spin has no go.gc_pause_p99_ns")
	})
}

func TestC8(t *testing.T) {
	rates := []uint64{planTop / 100, planTop / 10, 0}
	t.Run("holds", func(t *testing.T) {
		c := claim(t, planned(t), "C8")
		wantVerdict(t, c, Holds, "rates: low 1000 ev/s, medium 10000 ev/s, saturating max")
		if len(c.Scenarios) != 9 {
			t.Errorf("scenarios %v, want 3 modes × 3 rates", c.Scenarios)
		}
	})
	t.Run("refuted", func(t *testing.T) {
		r := planned(t)
		for _, rate := range rates {
			edit(r, plain("spin", rate), "latency_ns.p50", fig(50e3))
			edit(r, plain("spin", rate), "os.cpu_ns_per_event", fig(1e3))
		}
		edit(r, plain("epoll", 0), "throughput.consumed_eps", fig(300e3))
		edit(r, plain("reader", planTop/100), "latency_ns.p99", fig(500e3))
		wantVerdict(t, claim(t, r, "C8"), Refuted, "parts that hold: none")
	})
	t.Run("inconclusive without reader at max", func(t *testing.T) {
		r := planned(t)
		drop(r, plain("reader", 0))
		wantVerdict(t, claim(t, r, "C8"), Inconclusive, "2 of the three at max")
	})
}

func TestC9(t *testing.T) {
	t.Run("holds", func(t *testing.T) {
		wantVerdict(t, claim(t, planned(t), "C9"), Holds, "pair: reader at max, work 200,256", "goroutine switches as a rate")
	})
	t.Run("refuted", func(t *testing.T) {
		r := planned(t)
		edit(r, pinned(true), "throughput.consumed_eps", fig(450e3))
		edit(r, pinned(true), "go.gc_pause_p99_ns", fig(1.8e6))
		edit(r, pinned(true), "go.sched_events_per_event", fig(0.2))
		wantVerdict(t, claim(t, r, "C9"), Refuted, "parts that hold: none")
	})
	t.Run("undecided without GC", func(t *testing.T) {
		r := planned(t)
		for _, pin := range []bool{true, false} {
			edit(r, pinned(pin), "go.gc_pauses", st(0, 0, 3))
			unset(r, pinned(pin), "go.gc_pause_p99_ns") // null: no pause
		}
		wantVerdict(t, claim(t, r, "C9"), Partly, "no GC pause in either scenario")
	})
	t.Run("inconclusive with one repetition", func(t *testing.T) {
		r := planned(t)
		oneRep(r, pinned(false))
		wantVerdict(t, claim(t, r, "C9"), Inconclusive, "unpinned (ringbuf/reader/adaptive/nohash/rate=max/batch=1/payload=64/work=200,256/nopin) has 1")
	})
}

func TestC11(t *testing.T) {
	t.Run("holds", func(t *testing.T) {
		wantVerdict(t, claim(t, planned(t), "C11"), Holds, "consumer: epoll wait=thread at 10000 ev/s", "sampled:64")
	})
	t.Run("refuted", func(t *testing.T) {
		r := planned(t)
		edit(r, wakeup("adaptive"), "producer.bpf_ns_per_event", fig(300))
		edit(r, wakeup("adaptive"), "producer.trigger_p99_ns", fig(2e3))
		edit(r, wakeup("sampled:"), "producer.bpf_ns_per_event", fig(400))
		edit(r, wakeup("sampled:"), "producer.trigger_p99_ns", fig(3e3))
		wantVerdict(t, claim(t, r, "C11"), Refuted, "within noise")
	})
	t.Run("inconclusive without none", func(t *testing.T) {
		r := planned(t)
		drop(r, wakeup("none"))
		wantVerdict(t, claim(t, r, "C11"), Inconclusive, "adaptive vs none")
	})
}

func TestDecideEmpty(t *testing.T) {
	for _, r := range []*schema.Result{nil, {Schema: schema.Schema}} {
		for _, c := range Decide(r) {
			if c.Verdict != Inconclusive || len(c.Evidence) == 0 {
				t.Errorf("%s: %s %v, want inconclusive with a reason", c.ID, c.Verdict, c.Evidence)
			}
		}
	}
}

func TestPlan(t *testing.T) {
	for _, rate := range []uint64{planTop, 1_000_000, 0} {
		ps := Plan(rate, 2, 0.5, 3)
		if len(ps) > 20 {
			t.Errorf("rate %d: %d scenarios, the budget allows 20", rate, len(ps))
		}
		seen := map[string]bool{}
		for _, p := range ps {
			if p.ConsumerCPU != -1 || p.DurationS != 2 || p.WarmupS != 0.5 {
				t.Errorf("%s: consumer CPU %d, duration %v, warm-up %v", p.ID(), p.ConsumerCPU, p.DurationS, p.WarmupS)
			}
			if err := bench.Resolve(&p, []int{0, 1}); err != nil {
				t.Errorf("%s: %v", p.ID(), err)
			}
			if seen[p.ID()] {
				t.Errorf("duplicate scenario %s", p.ID())
			}
			seen[p.ID()] = true
		}
		t.Logf("rate %d: %d scenarios", rate, len(ps))
	}
}

// TestDecideRealRun decides a real matrix run, the report package's
// fixture, or the run.json RINGBENCH_CLAIMS_RESULT names (-v prints the
// verdicts): each claim gets a verdict with evidence, names only scenarios
// of that run, and is the same whatever order the run lists them in.
func TestDecideRealRun(t *testing.T) {
	path := os.Getenv("RINGBENCH_CLAIMS_RESULT")
	fixture := path == ""
	if fixture {
		path = filepath.Join("..", "report", "testdata", "matrix.json")
	}
	r, err := schema.ReadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]bool{}
	for _, s := range r.Scenarios {
		ran[s.ID] = true
	}
	got := Decide(r)
	decided := 0
	for i, c := range got {
		t.Logf("%s %s\n  %s\n  scenarios: %v", c.ID, c.Verdict, strings.Join(c.Evidence, "\n  "), c.Scenarios)
		if i >= len(PerfIDs) || c.ID != PerfIDs[i] {
			t.Errorf("result %d is %s, want the claims %v in order", i, c.ID, PerfIDs)
		}
		switch c.Verdict {
		case Holds, Refuted, Partly:
			decided++
			if len(c.Scenarios) < 2 {
				t.Errorf("%s: %s from %d scenarios, want a pair at least", c.ID, c.Verdict, len(c.Scenarios))
			}
		case Inconclusive:
		default:
			t.Errorf("%s: verdict %q", c.ID, c.Verdict)
		}
		if len(c.Evidence) == 0 {
			t.Errorf("%s: no evidence", c.ID)
		}
		for _, id := range c.Scenarios {
			if !ran[id] {
				t.Errorf("%s: names scenario %s, which the run does not hold", c.ID, id)
			}
		}
	}
	if fixture && decided == 0 {
		t.Error("the fixture decides no claim: this test no longer reaches the rules")
	}
	slices.Reverse(r.Scenarios)
	if again := Decide(r); !reflect.DeepEqual(again, got) {
		t.Error("the verdicts depend on the order of the scenarios in run.json")
	}
}

func TestCompare(t *testing.T) {
	// se = sqrt(2²/4 + 3²/9) = sqrt(2) = 1.41421…, threshold 2.82843…
	a := st(10, 2, 4)
	for _, tc := range []struct {
		b    schema.Stat
		diff float64
		sign int
	}{
		{st(7, 3, 9), 3, 1},     // 3 > 2.828: significant
		{st(7.5, 3, 9), 2.5, 0}, // 2.5 < 2.828: within noise
		{st(13, 3, 9), -3, -1},  // the other way round
	} {
		c, err := compare(a, tc.b)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(c.threshold-2.8284271) > 1e-6 || c.diff != tc.diff || c.sign() != tc.sign {
			t.Errorf("10±2(4) vs %v±3(9): diff %v threshold %v sign %d, want %v 2.828427 %d",
				tc.b.Mean, c.diff, c.threshold, c.sign(), tc.diff, tc.sign)
		}
	}
	// No spread at all: any difference is significant, none is not.
	if c, _ := compare(st(5, 0, 2), st(4, 0, 2)); c.sign() != 1 {
		t.Errorf("5±0 vs 4±0: sign %d, want 1", c.sign())
	}
	if c, _ := compare(st(5, 0, 2), st(5, 0, 2)); c.significant() {
		t.Error("5±0 vs 5±0: significant, want within noise")
	}
	// se = sqrt(1²/2 + 1²/2) = 1, threshold 2: 2 is not more than 2.
	if c, _ := compare(st(3, 1, 2), st(1, 1, 2)); c.threshold != 2 || c.significant() {
		t.Errorf("3±1(2) vs 1±1(2): threshold %v significant %v, want 2 false", c.threshold, c.significant())
	}
	if _, err := compare(st(5, 1, 1), st(4, 1, 3)); err == nil {
		t.Error("n=1: want an error")
	}
	if _, err := compare(schema.Stat{Mean: 5, N: 3}, st(4, 1, 3)); err == nil {
		t.Error("no stddev: want an error")
	}
	h := scaled(st(10, 2, 3), 0.5)
	if h.Mean != 5 || *h.Stddev != 1 || h.N != 3 {
		t.Errorf("half of 10±2: %v±%v", h.Mean, *h.Stddev)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{fmtStat(st(127e3, 12.3e3, 3), "ns"), "127 ± 12.3 µs (n=3)"},
		{fmtStat(st(1.62e6, 0.2e6, 5), "ns"), "1.62 ± 0.2 ms (n=5)"},
		{fmtStat(st(42800, 310, 3), "ev/s"), "42800 ± 310 ev/s (n=3)"},
		{fmtStat(st(3000, 90, 3), "ns/event"), "3 ± 0.09 µs/event (n=3)"},
		{fmtStat(st(5<<20, 0, 3), "B"), "5 ± 0 MiB (n=3)"},
		{fmtStat(schema.Stat{Mean: 0.004, N: 1}, "syscalls/event"), "0.004 ± ? syscalls/event (n=1)"},
		{fmtVal(-31e3, "ns"), "-31 µs"},
		{pct(-0.1098), "-11.0%"},
		{pct(0.685), "+68.5%"},
		{span(math.Inf(-1), -2.0/3), "≤ -66.7%"},
		{span(0.05, math.Inf(1)), "≥ +5.0%"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
