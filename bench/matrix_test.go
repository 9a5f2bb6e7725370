package bench

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ringbench/modes"
	"ringbench/schema"
)

func runnable(string) string { return "" }

func expand(t *testing.T, file string) ([]Planned, []string) {
	t.Helper()
	m, problems := ParseMatrix([]byte(file))
	if m == nil {
		return nil, problems
	}
	planned, more := m.Expand(twoCPUs, runnable)
	return planned, append(problems, more...)
}

func TestPresetsExpand(t *testing.T) {
	want := map[string]int{"quick": 56, "standard": 146}
	for _, name := range PresetNames {
		m, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		planned, problems := m.Expand(twoCPUs, runnable)
		if len(problems) > 0 {
			t.Fatalf("%s: %v", name, problems)
		}
		if n, ok := want[name]; ok && len(planned) != n {
			t.Errorf("%s: %d scenarios, want %d", name, len(planned), n)
		}
		seen := map[string]bool{}
		for _, p := range planned {
			if seen[p.Params.ID()] {
				t.Errorf("%s: %s twice", name, p.Params.ID())
			}
			seen[p.Params.ID()] = true
			if p.Skip == "" && Resolve(&p.Params, twoCPUs) != nil {
				t.Errorf("%s: %s planned but does not resolve", name, p.Params.ID())
			}
		}
	}
	// quick: perfbuf spin polls quietly at each of 3 rates, back to back
	// and at max rate, and once with the default wakeups it never needs.
	m, _ := Preset("quick")
	planned, _ := m.Expand(twoCPUs, runnable)
	f, _ := ParseFilter("transport=perfbuf,mode=spin")
	n := 0
	for _, p := range planned {
		if f.Match(p.Params) {
			n++
		}
	}
	if n != 6 {
		t.Errorf("quick has %d perfbuf spin scenarios, want one per rate, back to back, max rate and wasted wakeups (6)", n)
	}
	// Each Go against C group runs together: its scenarios follow each
	// other, every C mode with its Go twin.
	groups := map[int][]string{}
	last := 0
	for _, p := range planned {
		if p.Group != 0 {
			if len(groups[p.Group]) > 0 && last != p.Group {
				t.Errorf("group %d is split", p.Group)
			}
			groups[p.Group] = append(groups[p.Group], schema.ModeLabel(p.Params.Mode, p.Params.Wait))
		}
		last = p.Group
	}
	if len(groups) != 1 {
		t.Errorf("quick has %d interleaved groups, want 1 (back to back)", len(groups))
	}
	for g, labels := range groups {
		for _, l := range []string{"reader", "libbpf", "spin", "c-mmap-spin", "epoll-thread", "c-mmap-epoll"} {
			if !slices.Contains(labels, l) {
				t.Errorf("group %d lacks %s: %v", g, l, labels)
			}
		}
	}
	if _, err := Preset("huge"); err == nil || !strings.Contains(err.Error(), "quick, standard, full") {
		t.Errorf("unknown preset: %v", err)
	}
}

// The decision table picks among each transport's base sweep: every Go
// mode at each of its natural wakeup policies at every paced rate the
// sweep has. Each preset holds all of them, and the capacity scenarios
// (max rate and back to back) of every mode.
func TestPresetsHoldBaseSweeps(t *testing.T) {
	for _, name := range PresetNames {
		m, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		planned, _ := m.Expand(twoCPUs, runnable)
		ids := map[string]bool{}
		rates := map[string][]uint64{}
		for _, p := range planned {
			ids[p.Params.ID()] = true
			if q := p.Params; q.Rate > 0 && q.Batch == 1 && q.Hashmap == "none" && q.Delivery == "inline" && q.Payload == 64 && q.Producers == 1 && !slices.Contains(rates[q.Transport], q.Rate) {
				rates[q.Transport] = append(rates[q.Transport], q.Rate)
			}
		}
		for _, transport := range []string{schema.TransportRingbuf, schema.TransportPerfbuf} {
			if len(rates[transport]) < 3 {
				t.Errorf("%s: %s sweeps rates %v, want at least 3", name, transport, rates[transport])
			}
			for _, mode := range []string{"reader", "spin", "epoll"} {
				m, err := modes.Lookup(mode)
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range schema.NaturalWakeups(transport, m.PollsWith("")) {
					want := func(edit func(*Params), what string) {
						p := schema.Defaults()
						p.Transport, p.Mode, p.Wakeup = transport, mode, w
						edit(&p)
						if err := Resolve(&p, twoCPUs); err != nil {
							t.Fatal(err)
						}
						if !ids[p.ID()] {
							t.Errorf("%s lacks %s %s", name, what, p.ID())
						}
					}
					for _, rate := range rates[transport] {
						want(func(p *Params) { p.Rate = rate }, "the base-sweep scenario")
					}
					// Capacity: every natural policy at max rate, the
					// first back to back.
					want(func(p *Params) { p.Rate, p.Batch = 0, 500 }, "the capacity scenario")
					if w == schema.NaturalWakeups(transport, m.PollsWith(""))[0] {
						want(func(p *Params) { p.B2B, p.Batch = true, 500 }, "the back-to-back scenario")
					}
				}
			}
		}
	}
}

func TestExpandCrossProductAndDefaults(t *testing.T) {
	planned, problems := expand(t, `{"reps": 2, "duration": "1s", "warmup": "0s", "blocks": [
		{"transport": ["ringbuf", "perfbuf"], "mode": "epoll", "rate": [1000, "max"]},
		{"transport": "ringbuf", "mode": "epoll", "rate": 1000}]}`)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if len(planned) != 4 { // the second block repeats a scenario of the first
		t.Fatalf("%d scenarios, want 4", len(planned))
	}
	p := planned[0].Params
	if p.Transport != "ringbuf" || p.Rate != 1000 || p.DurationS != 1 || p.WarmupS != 0 || p.Wakeup != "adaptive" || p.Wait != "thread" {
		t.Errorf("first scenario %+v", p)
	}
	if planned[1].Params.Rate != 0 || planned[2].Params.Transport != "perfbuf" || planned[2].Params.Wakeup != "wakeup_events=1" {
		t.Errorf("order or defaults wrong: %s, %s", planned[1].Params.ID(), planned[2].Params.ID())
	}
}

func TestExpandSkipsWhatTheMachineCannot(t *testing.T) {
	planned, problems := expand(t, `{"blocks": [{"mode": "reader", "producers": [1, 4, "all"]},
		{"mode": "reader", "cpus": "7:1", "rate": 5000}]}`)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if len(planned) != 3 { // "all" is 1 here, the same scenario as 1
		t.Fatalf("%d scenarios, want 3", len(planned))
	}
	if planned[0].Skip != "" || !strings.Contains(planned[1].Skip, "producers=4 needs 4 CPUs") ||
		!strings.Contains(planned[2].Skip, "producer CPU 7 does not exist") {
		t.Errorf("skips: %q %q %q", planned[0].Skip, planned[1].Skip, planned[2].Skip)
	}
	m, _ := ParseMatrix([]byte(`{"blocks": [{"transport": ["ringbuf", "perfbuf"]}]}`))
	planned, _ = m.Expand(twoCPUs, func(tr string) string {
		if tr == "ringbuf" {
			return "BPF_MAP_TYPE_RINGBUF needs Linux 5.8"
		}
		return ""
	})
	if planned[0].Skip == "" || planned[1].Skip != "" {
		t.Errorf("kernel skips: %+v", planned)
	}
}

// interleave: true groups a block by itself; a name groups the blocks that
// share it; blocks without it run a scenario's repetitions in a row.
func TestInterleaveGroups(t *testing.T) {
	planned, problems := expand(t, `{"blocks": [{"interleave": true, "mode": ["reader", "spin"]},
		{"interleave": "g", "mode": "epoll"}, {"interleave": "g", "mode": "epoll", "rate": 5000}, {"rate": 7000}]}`)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var got []int
	for _, p := range planned {
		got = append(got, p.Group)
	}
	if want := []int{1, 1, 2, 2, 0}; !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
}

func TestMatrixFileValidation(t *testing.T) {
	cases := []struct{ name, file, want string }{
		{"not json", `{`, "not a JSON object"},
		{"unknown top key", `{"blocks": [{}], "repz": 3}`, `unknown key "repz"`},
		{"no blocks", `{"reps": 3}`, "no blocks"},
		{"bad reps", `{"reps": 0, "blocks": [{}]}`, "reps 0"},
		{"bad duration", `{"duration": 3, "blocks": [{}]}`, "duration 3"},
		{"unknown key", `{"blocks": [{"moed": "spin"}]}`, `block 1: unknown key "moed"`},
		{"named block", `{"blocks": [{}, {"name": "x", "rat": 1}]}`, `block 2 (x): unknown key "rat"`},
		{"bad value", `{"blocks": [{"mode": ["spin", "poll"]}]}`, `unknown mode "poll"`},
		{"bad number", `{"blocks": [{"batch": "lots"}]}`, `batch "lots": want a whole number`},
		{"bad rate", `{"blocks": [{"rate": -5}]}`, `rate "-5"`},
		{"bad bool", `{"blocks": [{"pin": "maybe"}]}`, `pin "maybe": want true or false`},
		{"bad interleave", `{"blocks": [{"interleave": 3}]}`, `interleave: want true, or the name`},
		{"split group", `{"blocks": [{"interleave": "g"}, {"rate": 5}, {"interleave": "g", "rate": 7}]}`, `the blocks of a group must follow each other`},
		{"nested value", `{"blocks": [{"mode": [["spin"]]}]}`, "want a string, number or boolean"},
		{"empty list", `{"blocks": [{"mode": []}]}`, "empty list"},
		{"output on perfbuf", `{"blocks": [{"transport": "perfbuf", "output": true}]}`, "output applies to the ringbuf transport only"},
		{"backoff off spin", `{"blocks": [{"mode": "epoll", "backoff": "pause"}]}`, "backoff applies to the spin mode only"},
		{"b2b with rate", `{"blocks": [{"b2b": true, "rate": 1000}]}`, "b2b has no rate"},
		{"emulated not an object", `{"emulated": "small", "blocks": [{}]}`, `emulated: want {"filter"`},
		{"emulated unknown field", `{"emulated": {"filter": "rate=10", "duration": "1s", "warmup": "0s", "reps": 2}, "blocks": [{}]}`, `unknown field "reps"`},
		{"emulated bad filter", `{"emulated": {"filter": "speed=10", "duration": "1s", "warmup": "0s"}, "blocks": [{}]}`, `unknown key "speed"`},
		{"emulated no duration", `{"emulated": {"filter": "rate=10", "warmup": "0s"}, "blocks": [{}]}`, `emulated: duration ""`},
		{"wakeup of the other transport", `{"blocks": [{"transport": "perfbuf", "wakeup": "sampled:8"}]}`, "sampled"},
	}
	for _, c := range cases {
		_, problems := expand(t, c.file)
		if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), c.want) {
			t.Errorf("%s: problems %q, want one containing %q", c.name, problems, c.want)
		}
		for _, p := range problems {
			if strings.Contains(p, "\n") {
				t.Errorf("%s: problem spans lines: %q", c.name, p)
			}
		}
	}
	// Every problem is reported, not just the first.
	_, problems := expand(t, `{"reps": -1, "blocks": [{"moed": 1, "batch": "x"}]}`)
	if len(problems) != 3 {
		t.Errorf("want 3 problems, got %q", problems)
	}
}

func TestMatrixEmulatedForm(t *testing.T) {
	m, problems := ParseMatrix([]byte(`{"emulated": {"filter": "rate=10000,mode=spin", "duration": "300ms", "warmup": "100ms"}, "blocks": [{}]}`))
	if len(problems) > 0 || m.Emulated == nil {
		t.Fatalf("problems %q, form %v", problems, m.Emulated)
	}
	if got, want := m.Emulated.String(), "mode=spin,rate=10000, 300ms + 100ms warm-up"; got != want {
		t.Errorf("form %q, want %q", got, want)
	}
	if m.Reps != 3 || m.Duration != 3*time.Second {
		t.Errorf("the form changed the matrix itself: reps %d, duration %v", m.Reps, m.Duration)
	}
}

func TestFilter(t *testing.T) {
	planned, _ := expand(t, `{"blocks": [{"transport": ["ringbuf", "perfbuf"], "mode": ["reader", "spin", "epoll"],
		"wakeup": "default", "rate": [1000, 2000]}, {"mode": "epoll", "wakeup": "sampled:64", "rate": 3000}]}`)
	count := func(s string) int {
		f, err := ParseFilter(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		n := 0
		for _, p := range planned {
			if f.Match(p.Params) {
				n++
			}
		}
		return n
	}
	for s, want := range map[string]int{
		"": 13, "mode=spin": 4, "mode=spin,transport=ringbuf": 2, "mode=spin,mode=epoll": 9,
		"rate=2000": 6, "wakeup=sampled": 1, "wakeup=sampled:64": 1, "wakeup=adaptive": 6, "wait=thread": 5,
		"transport=ringbuf,rate=3000": 1, "pin=true": 13, "mode=nosuch": 0,
	} {
		if got := count(s); got != want {
			t.Errorf("filter %q selects %d, want %d", s, got, want)
		}
	}
	for _, bad := range []string{"mode", "mode=", "=spin", "modus=spin"} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("filter %q accepted", bad)
		}
	}
	f, _ := ParseFilter("rate=1000,mode=spin")
	if f.String() != "mode=spin,rate=1000" {
		t.Errorf("String %q", f.String())
	}
}

// Every matrix key reads back what it set, so a filter can select on any
// key a matrix block can vary.
func TestMatrixKeysRoundTrip(t *testing.T) {
	sample := map[string]string{
		"transport": "perfbuf", "mode": "spin", "wakeup": "sampled:8", "hashmap": "lru",
		"hash-churn": "1:1:1", "delivery": "channel", "work": "100", "backoff": "pause",
		"wait": "netpoll", "poll-timeout": "5ms", "rate": "5000", "batch": "16", "payload": "128",
		"ring-bytes": "8192", "gomaxprocs": "2", "hash-keys": "7", "hash-entries": "99",
		"pin": "false", "b2b": "true", "output": "true", "producers": "3", "oversubscribe": "true", "cpus-per-ring": "2", "consumers": "2", "duration": "2s",
		"warmup": "500ms", "cpus": "0,1:1", "clock": "per-event", "latency": "false", "commit": "record",
		"count-syscalls": "false", "breakdown": "true",
	}
	for _, k := range MatrixKeyNames() {
		v, ok := sample[k]
		if !ok {
			t.Errorf("%s: no sample value; add one", k)
			continue
		}
		p := schema.Defaults()
		if err := matrixKeys[k].set(&p, v, twoCPUs); err != nil {
			t.Errorf("%s=%s: %v", k, v, err)
			continue
		}
		if got := schemaKey(k).Get(p); got != v {
			t.Errorf("%s: set %q, read back %q", k, v, got)
		}
	}
	p := schema.Defaults()
	p.Rate = 0
	if got := schemaKey("rate").Get(p); got != "max" {
		t.Errorf("rate 0 reads back %q, want max", got)
	}
}

// wakeup=natural selects the scenarios whose policy is what natural
// resolves to for their mode: spin with none, epoll with ringbuf's
// default; natural-sampled a sleeping mode's sampled policy.
func TestFilterNatural(t *testing.T) {
	planned, problems := expand(t, `{"blocks": [{"transport": "ringbuf", "mode": ["spin", "epoll"],
		"wakeup": ["none", "adaptive", "sampled:64"], "rate": 1000}]}`)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for _, c := range []struct{ filter, want string }{
		{"wakeup=natural", "ringbuf/epoll/adaptive ringbuf/spin/none"},
		{"wakeup=natural-sampled", "ringbuf/epoll/sampled:64 ringbuf/spin/none"},
	} {
		f, err := ParseFilter(c.filter)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range planned {
			if f.Match(p.Params) {
				got = append(got, p.Params.Transport+"/"+p.Params.Mode+"/"+p.Params.Wakeup)
			}
		}
		slices.Sort(got)
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s selects %v, want %s", c.filter, got, c.want)
		}
	}
}
