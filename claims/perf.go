package claims

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"ringbench/bench"
	"ringbench/internal/format"
	"ringbench/modes"
	"ringbench/schema"
)

// The performance claims, as CLAIMS.md states them. Their figures are the
// article's; the verdicts come only from measured results.
const (
	c6Text  = "With BPF_F_NO_PREALLOC on the hash map, throughput falls ~11% (42,800 → 38,100 ev/s), p99 latency rises 127 → 214 µs, p99.9 389 → 1,620 µs, and map memory falls ~63%"
	c7Text  = "mmap + spin polling reaches ~2.1 µs mean latency vs 12.4 µs for a netpoller + channel consumer at 1M ev/s, with zero syscalls in steady state vs ~1.8M/s, and no GC impact"
	c8Text  = "spin has the lowest latency and the highest CPU cost; epoll gives high throughput at low latency without burning a core; blocking read is the simplest and suits low rates"
	c9Text  = "Locking the consumer goroutine to an OS thread pinned to a CPU raises throughput ~10%, cuts GC pause p99 1.82 → 0.41 ms and goroutine switches 12.7M/s → 1.3M/s"
	c11Text = "A consumer that is always caught up makes the kernel send a wakeup for every record, which the traced workload pays for"
)

const (
	// planRate is used when the caller gives no rate: the rate C7 names.
	planRate = 1_000_000
	// c9Work makes the recording goroutine allocate, so that GC runs in
	// the window and C9's pause figures exist.
	c9Work = "200,256"
)

// unitOf is how evidence prints a metric the claims use, from the metric
// catalog: times in ns (per event where the figure is), rates in ev/s,
// bytes in B, counts by their label ("syscalls/event").
func unitOf(path string) string {
	m, _ := schema.MetricAt(path)
	switch m.Unit {
	case schema.UnitNs:
		if strings.HasSuffix(path, "_per_event") {
			return "ns/event"
		}
		return "ns"
	case schema.UnitPerSec:
		return "ev/s"
	case schema.UnitBytes:
		return "B"
	}
	return m.Label
}

// Plan returns the scenarios needed to decide C6, C7, C8, C9 and C11
// (deduplicated by ID), given the highest rate to use and the per-scenario
// duration/warm-up/reps; the caller resolves and runs them (each rep in a
// child process) and passes the result to Decide. Every scenario is needed
// by a rule of Decide, so reps does not change the set; it only sizes the
// run (17 scenarios × reps × (duration + warm-up + process start)).
//
// Rates: high = rate (C7), medium = rate/10 (C8, C11), low = rate/100
// (C8), and max (rate 0, unpaced) where throughput must be free to move
// (C6, C8, C9). A rate of 0 means C7's own 1M ev/s.
func Plan(rate uint64, duration, warmup float64, reps int) []schema.Params {
	if rate == 0 {
		rate = planRate
	}
	low, med := max(rate/100, 1), max(rate/10, 1)
	at := func(mode string, r uint64) schema.Params {
		p := schema.Defaults()
		p.Transport, p.Mode, p.Rate, p.Wakeup = "ringbuf", mode, r, "adaptive"
		p.DurationS, p.WarmupS, p.ConsumerCPU = duration, warmup, -1
		return p
	}
	var ps []schema.Params
	// C8: the three modes at low, medium and saturating rates.
	for _, r := range []uint64{low, med, 0} {
		for _, m := range []string{"reader", "spin", "epoll"} {
			ps = append(ps, at(m, r))
		}
	}
	// C7: spin inline vs epoll on the netpoller with channel delivery.
	netpoll := at("epoll", rate)
	netpoll.Wait, netpoll.Delivery, netpoll.Pin = modes.WaitNetpoll, "channel", false
	ps = append(ps, at("spin", rate), netpoll)
	// C6: the hash map variants at max, where throughput can fall, with the
	// reader: on a 2-CPU VM its figures at max spread far less than epoll's.
	for _, h := range []string{"prealloc", "noprealloc"} {
		p := at("reader", 0)
		p.Hashmap = h
		ps = append(ps, p)
	}
	// C9: pinned vs unpinned reader at max with allocating work.
	for _, pin := range []bool{true, false} {
		p := at("reader", 0)
		p.Work, p.Pin = c9Work, pin
		ps = append(ps, p)
	}
	// C11: wakeup policies with a caught-up epoll consumer (the adaptive
	// one is C8's epoll at the medium rate).
	for _, w := range []string{"adaptive", schema.SampledWakeup(schema.TransportRingbuf), "none"} {
		p := at("epoll", med)
		p.Wakeup = w
		ps = append(ps, p)
	}
	seen := map[string]bool{}
	out := ps[:0]
	for _, p := range ps {
		if id := p.ID(); !seen[id] {
			seen[id] = true
			out = append(out, p)
		}
	}
	return out
}

// Decide computes the verdicts of the performance claims from a result (a
// run of Plan, or any results folder read with schema.ReadResult). Scenarios
// are matched by their params, never by ID strings, so any matrix that
// holds the right pairs can decide a claim. One Result per claim: C6, C7,
// C8, C9, C11, in that order.
func Decide(r *schema.Result) []Result {
	var ss []scen
	if r != nil {
		ss = collect(r)
	}
	return []Result{decideC6(ss), decideC7(ss), decideC8(ss), decideC9(ss), decideC11(ss)}
}

// scen is a scenario with its params normalised, so that results written
// before a default was filled in still match.
type scen struct {
	sc *schema.Scenario
	p  schema.Params
}

func collect(r *schema.Result) []scen {
	var out []scen
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		p := normalize(sc.Params)
		if p.B2B {
			continue // the consumer paces the producer: another experiment
		}
		out = append(out, scen{sc, p})
	}
	// Deterministic choices: the same result always gives the same verdict.
	sort.SliceStable(out, func(i, j int) bool { return out[i].sc.ID < out[j].sc.ID })
	return out
}

func normalize(p schema.Params) schema.Params {
	// Results from before the latency clock was a knob read it per event.
	if p.LatencyClock == "" {
		p.LatencyClock = string(modes.ClockPerEvent)
	}
	bench.FillDefaults(&p)
	if p.Mode == "reader" {
		p.Commit = "" // the library's, not a knob
	}
	return p
}

// key identifies a scenario with the fields blank clears, so two scenarios
// with equal keys differ only in those fields.
func key(p schema.Params, blank func(*schema.Params)) string {
	blank(&p)
	b, _ := json.Marshal(p)
	return string(b)
}

// twin finds the scenario that differs from of only in the fields blank
// clears and satisfies want.
func twin(ss []scen, of scen, blank func(*schema.Params), want func(schema.Params) bool) (scen, bool) {
	k := key(of.p, blank)
	for _, s := range ss {
		if s.sc != of.sc && want(s.p) && key(s.p, blank) == k {
			return s, true
		}
	}
	return scen{}, false
}

// bestPair is the best-ranked scenario matching isA (by score, highest
// first) that has a twin matching isB: the same scenario but for the field
// blank clears. ok is false when no such pair was run.
func bestPair(ss []scen, isA func(schema.Params) bool, score func(schema.Params) int,
	blank func(*schema.Params), isB func(schema.Params) bool) (a, b scen, ok bool) {
	for _, s := range ranked(ss, isA, score) {
		if t, found := twin(ss, s, blank, isB); found {
			return s, t, true
		}
	}
	return scen{}, scen{}, false
}

// ranked returns the scenarios want accepts, best score first.
func ranked(ss []scen, want func(schema.Params) bool, score func(schema.Params) int) []scen {
	var out []scen
	for _, s := range ss {
		if want(s.p) {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return score(out[i].p) > score(out[j].p) })
	return out
}

func rateName(r uint64) string {
	if r == 0 {
		return "max"
	}
	return fmt.Sprintf("%d ev/s", r)
}

func allocates(work string) bool {
	_, alloc, ok := strings.Cut(work, ",")
	return ok && alloc != "0"
}

// decideC6 compares hashmap=prealloc against noprealloc, all else equal,
// preferring the saturating rate: at an offered rate both variants
// deliver what is offered, so only max can show a throughput loss.
func decideC6(ss []scen) Result {
	j := newJudge("C6", c6Text)
	blank := func(p *schema.Params) { p.Hashmap = "" }
	a, b, found := bestPair(ss, func(p schema.Params) bool { return p.Hashmap == "prealloc" }, func(p schema.Params) int {
		return b2i(p.Rate == 0)*4 + b2i(p.Mode == "reader")*2 + b2i(p.Transport == "ringbuf")
	}, blank, func(p schema.Params) bool { return p.Hashmap == "noprealloc" })
	pre, nopre := side{"prealloc", a}, side{"noprealloc", b}
	if !found {
		return j.inconclusive("no pair of scenarios that differ only in hashmap=prealloc vs noprealloc (run the matrix with --hashmap prealloc,noprealloc)")
	}
	if !j.use(pre, nopre) {
		return j.r
	}
	j.line("pair: %s, rate %s; %s", pre.s.p.Mode, rateName(pre.s.p.Rate), ruleLine)
	j.line("each part holds when the change noprealloc vs prealloc is significant, in the claimed direction, and within a factor of 2 of the claimed size")
	rel := func(from, to float64) float64 { return to/from - 1 }
	for _, c := range []struct {
		name, metric string
		claimed      float64
	}{
		{"throughput −11%", "throughput.consumed_eps", rel(42_800, 38_100)},
		{"p99 127 → 214 µs", "latency_ns.p99", rel(127, 214)},
		{"p99.9 389 → 1620 µs", "latency_ns.p999", rel(389, 1620)},
		{"map memory −63%", "memory.map_memlock.rbn_flows", -0.63},
	} {
		if c.metric == "throughput.consumed_eps" && pre.s.p.Rate != 0 {
			j.part(c.name, undecided, "the pair runs at an offered %s, which caps throughput; it needs rate=max", rateName(pre.s.p.Rate))
			continue
		}
		lo, hi := math.Min(c.claimed/2, c.claimed*2), math.Max(c.claimed/2, c.claimed*2)
		j.change(c.name, c.metric, pre, nopre, c.claimed, lo, hi)
	}
	return j.verdict()
}

// decideC7 compares spin (inline) with epoll on the netpoller delivering
// through a channel, at the highest offered rate where both were run
// (max only if no offered rate has both).
func decideC7(ss []scen) Result {
	j := newJudge("C7", c7Text)
	blank := func(p *schema.Params) {
		p.Mode, p.Wait, p.Backoff, p.Delivery, p.Pin, p.Commit = "", "", "", "", false, ""
	}
	a, b, found := bestPair(ss, func(p schema.Params) bool {
		return p.Mode == "spin" && p.Backoff == "none" && p.Delivery == "inline"
	}, rateRank, blank, func(p schema.Params) bool {
		return p.Mode == "epoll" && p.Wait == modes.WaitNetpoll && strings.HasPrefix(p.Delivery, "channel")
	})
	spin, np := side{"spin", a}, side{"netpoll+" + b.p.Delivery, b}
	if !found {
		return j.inconclusive("no pair of spin (inline) and epoll wait=netpoll delivery=channel scenarios at the same rate, all else equal")
	}
	if !j.use(spin, np) {
		return j.r
	}
	thr := func(sd side) string {
		st, err := sd.get("throughput.consumed_eps")
		if err != nil {
			return "?"
		}
		return fmtStat(st, "ev/s")
	}
	j.line("rate used: offered %s (the claim: 1,000,000 ev/s); consumed: spin %s, netpoll %s", rateName(spin.s.p.Rate), thr(spin), thr(np))
	j.line("%s", ruleLine)
	j.change("mean latency ≥3× lower", "latency_ns.mean", np, spin, 2.1/12.4-1, math.Inf(-1), -2.0/3)
	c7Syscalls(j, spin, np)
	c7GC(j, spin, np)
	return j.verdict()
}

// rateRank orders offered rates highest first and max last: C7's figures
// are for an offered rate, where latency is not all queueing.
func rateRank(p schema.Params) int {
	if p.Rate == 0 {
		return -1
	}
	return int(min(p.Rate, math.MaxInt32))
}

func c7Syscalls(j *judge, spin, np side) {
	const name = "zero syscalls vs many"
	a, errA := spin.get("os.syscalls_per_event")
	b, errB := np.get("os.syscalls_per_event")
	if err := errors.Join(errA, errB); err != nil {
		j.part(name, undecided, "%s", format.OneLine(err))
		return
	}
	o := failsPart
	if a.Mean < 0.01 && b.Mean > 0.1 {
		o = holdsPart
	}
	j.part(name, o, "os.syscalls_per_event (consumer side): spin %s ≈ %s vs %s %s ≈ %s (claimed ~1.8M/s); holds if spin < 0.01 and netpoll > 0.1 per event",
		fmtStat(a, unitOf("os.syscalls_per_event")), perSecond(spin, "os.syscalls_per_event"),
		np.label, fmtStat(b, unitOf("os.syscalls_per_event")), perSecond(np, "os.syscalls_per_event"))
}

// c7GC: spin has no GC impact if it does not allocate and its GC pause p99
// is null (no pause at all) or not significantly above netpoll's.
func c7GC(j *judge, spin, np side) {
	const name = "no GC impact"
	allocs, err := spin.get("go.allocs_per_event")
	if err != nil {
		j.part(name, undecided, "%v", err)
		return
	}
	j.line("[%s] go.allocs_per_event: spin %s (must be < 0.01)", name, fmtStat(allocs, unitOf("go.allocs_per_event")))
	alloc := holdsPart
	if allocs.Mean >= 0.01 {
		alloc = failsPart
	}
	var pause outcome
	if none, known := noPause(spin); known && none {
		j.line("[%s] spin: no GC pause in any repetition (go.gc_pause_p99_ns null)", name)
		pause = holdsPart
	} else {
		sign, ok := j.cmp(name, "go.gc_pause_p99_ns", spin, np, 1)
		pause = check(sign, ok, notAbove)
	}
	o := all(alloc, pause)
	j.part(name, o, "spin allocates < 0.01 per event, and its GC pause p99 is null or not significantly above %s's", np.label)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// c8Mode names the three consumers C8 compares; other variants (spin with
// backoff, epoll on the netpoller) are other claims' business.
func c8Mode(p schema.Params) string {
	switch {
	case p.Mode == "reader", p.Mode == "spin" && p.Backoff == "none", p.Mode == "epoll" && p.Wait == modes.WaitThread:
		return p.Mode
	}
	return ""
}

// decideC8 compares reader, spin and epoll(thread), all else equal, at a
// low and a medium offered rate (the lowest and the middle of the offered
// rates where all three were run) and at max.
func decideC8(ss []scen) Result {
	j := newJudge("C8", c8Text)
	blank := func(p *schema.Params) { p.Mode, p.Wait, p.Backoff, p.Rate, p.Commit = "", "", "", 0, "" }
	// A grid is one setting of everything but mode and rate: rate → mode → scenario.
	type grid struct {
		p     schema.Params
		cells map[uint64]map[string]scen
	}
	var grids []*grid
	byKey := map[string]*grid{}
	for _, s := range ss {
		m := c8Mode(s.p)
		if m == "" || !s.p.Pin {
			continue // pinning is C9's question; C8 compares pinned consumers
		}
		k := key(s.p, blank)
		g := byKey[k]
		if g == nil {
			g = &grid{p: s.p, cells: map[uint64]map[string]scen{}}
			byKey[k] = g
			grids = append(grids, g)
		}
		if g.cells[s.p.Rate] == nil {
			g.cells[s.p.Rate] = map[string]scen{}
		}
		if _, dup := g.cells[s.p.Rate][m]; !dup {
			g.cells[s.p.Rate][m] = s
		}
	}
	var best *grid
	var bestRates []uint64
	bestScore := -1
	for _, g := range grids {
		var offered []uint64
		for r, ms := range g.cells {
			if len(ms) == 3 && r != 0 {
				offered = append(offered, r)
			}
		}
		sort.Slice(offered, func(a, b int) bool { return offered[a] < offered[b] })
		score := b2i(len(offered) >= 2 && len(g.cells[0]) == 3)*16 + b2i(g.p.Transport == "ringbuf")*8 +
			b2i(g.p.Hashmap == "none")*4 + b2i(g.p.Delivery == "inline")*2 + b2i(g.p.Work == "0")
		if score > bestScore {
			best, bestRates, bestScore = g, offered, score
		}
	}
	if best == nil || len(bestRates) < 2 || len(best.cells[0]) != 3 {
		atMax := 0
		if best != nil {
			atMax = len(best.cells[0])
		}
		return j.inconclusive("needs reader, spin and epoll(wait=thread), pinned, all else equal, each at two offered rates (low, medium) and at max; the closest set has all three at offered rates %v and %d of the three at max", bestRates, atMax)
	}
	low, med := bestRates[0], bestRates[len(bestRates)/2]
	at := func(r uint64, m string) side { return side{fmt.Sprintf("%s@%s", m, rateName(r)), best.cells[r][m]} }
	var sides []side
	for _, r := range []uint64{low, med, 0} {
		for _, m := range []string{"reader", "spin", "epoll"} {
			sides = append(sides, at(r, m))
		}
	}
	if !j.use(sides...) {
		return j.r
	}
	j.line("rates: low %s, medium %s, saturating max; %s", rateName(low), rateName(med), ruleLine)

	var os []outcome
	for _, r := range []uint64{low, med, 0} {
		for _, other := range []string{"reader", "epoll"} {
			s, ok := j.cmp("spin lowest latency", "latency_ns.p50", at(r, "spin"), at(r, other), 1)
			os = append(os, check(s, ok, lower))
		}
	}
	j.part("spin lowest latency", all(os...), "spin's p50 must be significantly below reader's and epoll's at every rate")

	os = nil
	for _, r := range []uint64{low, med} {
		for _, other := range []string{"reader", "epoll"} {
			s, ok := j.cmp("spin highest CPU", "os.cpu_ns_per_event", at(r, "spin"), at(r, other), 1)
			os = append(os, check(s, ok, higher))
		}
	}
	j.part("spin highest CPU", all(os...), "spin's CPU per event must be significantly above reader's and epoll's at every offered rate")

	s1, ok1 := j.cmp("epoll throughput without a core", "throughput.consumed_eps", at(0, "epoll"), at(0, "reader"), 1)
	s2, ok2 := j.cmp("epoll throughput without a core", "os.cpu_ns_per_event", at(med, "epoll"), at(med, "spin"), 0.5)
	j.part("epoll throughput without a core", all(check(s1, ok1, notLower), check(s2, ok2, lower)),
		"at max epoll consumes at least as much as reader (within noise counts); at the medium rate its CPU per event is significantly below half of spin's")

	s, ok := j.cmp("reader suits low rates", "latency_ns.p99", at(low, "reader"), at(low, "epoll"), 2)
	j.part("reader suits low rates", check(s, ok, notAbove), "at the low rate reader's p99 is not significantly above 2× epoll's")
	return j.verdict()
}

// decideC9 compares a pinned consumer with the same consumer unpinned,
// preferring max rate (throughput free to move) with allocating work (GC
// in the window) and the reader, the shape of most Go consumers.
func decideC9(ss []scen) Result {
	j := newJudge("C9", c9Text)
	blank := func(p *schema.Params) { p.Pin = false }
	a, b, found := bestPair(ss, func(p schema.Params) bool { return p.Pin }, func(p schema.Params) int {
		return b2i(p.Rate == 0)*8 + b2i(allocates(p.Work))*4 + b2i(p.Mode == "reader")*2 + b2i(p.Mode == "spin")
	}, blank, func(p schema.Params) bool { return !p.Pin })
	pinned, unpinned := side{"pinned", a}, side{"unpinned", b}
	if !found {
		return j.inconclusive("no pair of scenarios that differ only in pin=true vs pin=false (run the matrix with --pin=false as well)")
	}
	if !j.use(pinned, unpinned) {
		return j.r
	}
	j.line("pair: %s at %s, work %s; %s", pinned.s.p.Mode, rateName(pinned.s.p.Rate), pinned.s.p.Work, ruleLine)
	if pinned.s.p.Rate != 0 {
		j.part("throughput +10%", undecided, "the pair runs at an offered %s, which caps throughput; it needs rate=max", rateName(pinned.s.p.Rate))
	} else {
		j.change("throughput +10%", "throughput.consumed_eps", unpinned, pinned, 0.10, 0.05, math.Inf(1))
	}
	pNone, pKnown := noPause(pinned)
	uNone, uKnown := noPause(unpinned)
	switch {
	case pKnown && uKnown && pNone && uNone:
		j.part("GC pause p99 lower", undecided, "no GC pause in either scenario: the pair needs allocating work (e.g. work=%s)", c9Work)
	case pKnown && uKnown && pNone:
		j.part("GC pause p99 lower", holdsPart, "pinned had no GC pause in any repetition, unpinned did")
	default:
		j.change("GC pause p99 lower", "go.gc_pause_p99_ns", unpinned, pinned, 0.41/1.82-1, math.Inf(-1), 0)
	}
	j.change("goroutine switches ≥2× fewer", "go.sched_events_per_event", unpinned, pinned, 1.3/12.7-1, math.Inf(-1), -0.5)
	j.line("goroutine switches as a rate: pinned ≈ %s, unpinned ≈ %s (claimed 1.3M/s vs 12.7M/s)",
		perSecond(pinned, "go.sched_events_per_event"), perSecond(unpinned, "go.sched_events_per_event"))
	return j.verdict()
}

// perSecond turns a per-event mean into a rate with the consumed rate,
// the unit the article quotes; "?/s" when a figure is missing.
func perSecond(sd side, metric string) string {
	m, err1 := sd.get(metric)
	t, err2 := sd.get("throughput.consumed_eps")
	if err1 != nil || err2 != nil {
		return "?/s"
	}
	return format.Sig3(m.Mean*t.Mean) + "/s"
}

// decideC11 compares the ringbuf wakeup policies with everything else
// equal, preferring an epoll(thread) consumer at an offered rate: a
// consumer that sleeps until woken and is usually caught up, which is the
// case the claim is about.
func decideC11(ss []scen) Result {
	j := newJudge("C11", c11Text)
	blank := func(p *schema.Params) { p.Wakeup = "" }
	type trio struct {
		adaptive, none, sampled scen
		score                   int
	}
	var best *trio
	for _, s := range ss {
		if s.p.Transport != "ringbuf" || s.p.Wakeup != "adaptive" {
			continue
		}
		none, ok := twin(ss, s, blank, func(p schema.Params) bool { return p.Wakeup == "none" })
		if !ok {
			continue
		}
		sampled, hasSampled := twin(ss, s, blank, func(p schema.Params) bool { return strings.HasPrefix(p.Wakeup, "sampled:") })
		t := trio{adaptive: s, none: none, sampled: sampled,
			score: b2i(s.p.Mode == "epoll" && s.p.Wait == modes.WaitThread)*4 + b2i(hasSampled)*2 + b2i(s.p.Rate != 0)}
		if best == nil || t.score > best.score {
			best = &t
		}
	}
	if best == nil {
		return j.inconclusive("no ringbuf scenarios that differ only in wakeup adaptive vs none (run the matrix with --wakeup adaptive,%s,none)", schema.SampledWakeup(schema.TransportRingbuf))
	}
	ad, no := side{"adaptive", best.adaptive}, side{"none", best.none}
	sides := []side{ad, no}
	var sa side
	if best.sampled.sc != nil {
		sa = side{best.sampled.p.Wakeup, best.sampled}
		sides = append(sides, sa)
	}
	if !j.use(sides...) {
		return j.r
	}
	j.line("consumer: %s at %s; %s", modeName(ad.s.p), rateName(ad.s.p.Rate), ruleLine)
	for _, c := range []struct{ name, metric string }{
		{"BPF cost per event", "producer.bpf_ns_per_event"},
		{"trigger p99", "producer.trigger_p99_ns"},
	} {
		s, ok := j.cmp(c.name, c.metric, ad, no, 1)
		j.part(c.name, check(s, ok, higher), "must be significantly higher with adaptive wakeups than with none")
	}
	if sa.s.sc == nil {
		j.part("sampled in between", undecided, "no sampled:N scenario with everything else equal")
		return j.verdict()
	}
	var os []outcome
	for _, metric := range []string{"producer.bpf_ns_per_event", "producer.trigger_p99_ns"} {
		s1, ok1 := j.cmp("sampled in between", metric, sa, no, 1)
		s2, ok2 := j.cmp("sampled in between", metric, sa, ad, 1)
		switch {
		case !ok1 || !ok2:
			os = append(os, undecided)
		case s1 == 0 || s2 < 0:
			os = append(os, holdsPart)
		default:
			os = append(os, failsPart)
		}
	}
	j.part("sampled in between", all(os...), "for both figures %s is within noise of none or significantly below adaptive", sa.label)
	return j.verdict()
}

func modeName(p schema.Params) string {
	switch p.Mode {
	case "epoll":
		return "epoll wait=" + p.Wait
	case "spin":
		return "spin backoff=" + p.Backoff
	}
	return p.Mode
}
