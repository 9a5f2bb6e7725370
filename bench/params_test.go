package bench

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"ringbench/modes"
	"ringbench/schema"
)

var twoCPUs = []int{0, 1}

func resolved(t *testing.T, edit func(*Params)) (Params, error) {
	t.Helper()
	p := schema.Defaults()
	p.ConsumerCPU = -1
	edit(&p)
	err := Resolve(&p, twoCPUs)
	return p, err
}

func TestResolveRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Params)
		want string // a word the one-line error must contain
	}{
		{"unknown transport", func(p *Params) { p.Transport = "pipe" }, "ringbuf, perfbuf or ringbuf-sharded"},
		{"reader on shards", func(p *Params) { p.Transport = "ringbuf-sharded" }, "the reader mode reads one ring buffer; for ringbuf-sharded use"},
		{"cpus-per-ring off shards", func(p *Params) { p.CPUsPerRing = 2 }, "cpus-per-ring applies to the ringbuf-sharded transport only"},
		{"consumers on one ring", func(p *Params) { p.Mode, p.Consumers = "epoll", 2 }, "one ring buffer cannot be split among consumers"},
		{"consumers of the reader", func(p *Params) { p.Transport, p.Consumers = "perfbuf", 2 }, "the reader mode reads every ring through one library reader"},
		{"consumers back to back", func(p *Params) { p.Transport, p.Mode, p.Consumers, p.B2B = "perfbuf", "epoll", 2, true }, "back to back, one thread"},
		{"consumers leave no CPU", func(p *Params) { p.Transport, p.Mode, p.Consumers = "perfbuf", "epoll", 2 }, "consumers=2 take every CPU, leaving the producers none (--oversubscribe"},
		{"unknown mode", func(p *Params) { p.Mode = "magic" }, "reader"},
		{"batch 0", func(p *Params) { p.Batch = 0 }, "batch"},
		{"payload too small", func(p *Params) { p.Payload = 23 }, "24"},
		{"payload too big", func(p *Params) { p.Payload = 1 << 16 }, "32768"},
		{"payload beyond ring", func(p *Params) { p.RingBytes = 4096; p.Payload = 4096 }, "does not fit"},
		{"ring not power of two", func(p *Params) { p.RingBytes = 3 << 12 }, "power of two"},
		{"ring below a page", func(p *Params) { p.RingBytes = 1024 }, "page"},
		{"perf policy on ringbuf", func(p *Params) { p.Wakeup = "watermark=100" }, "does not fit"},
		{"ringbuf policy on perfbuf", func(p *Params) { p.Transport = "perfbuf"; p.Wakeup = "adaptive" }, "does not fit"},
		{"sampled without N", func(p *Params) { p.Wakeup = "sampled" }, "does not fit"},
		{"sampled:0", func(p *Params) { p.Wakeup = "sampled:0" }, "≥ 1"},
		{"watermark beyond ring", func(p *Params) { p.Transport = "perfbuf"; p.RingBytes = 4096; p.Wakeup = "watermark=4096" }, "below the ring"},
		{"output on perfbuf", func(p *Params) { p.Transport = "perfbuf"; p.Output = true }, "ringbuf"},
		{"consumer CPU missing", func(p *Params) { p.ConsumerCPU = 7 }, "CPU 7"},
		{"producer CPU missing", func(p *Params) { p.ProducerCPUs = []int{9} }, "CPU 9"},
		{"producers vs CPUs", func(p *Params) { p.Producers = 2; p.ProducerCPUs = []int{0} }, "producer CPUs"},
		{"no duration", func(p *Params) { p.DurationS = 0 }, "duration"},
		{"unknown hashmap", func(p *Params) { p.Hashmap = "btree" }, "noprealloc"},
		{"bad churn", func(p *Params) { p.Hashmap = "prealloc"; p.HashChurn = "1:2" }, "INSERT:UPDATE:DELETE"},
		{"empty churn", func(p *Params) { p.Hashmap = "prealloc"; p.HashChurn = "0:0:0" }, "INSERT:UPDATE:DELETE"},
		{"no entries", func(p *Params) { p.Hashmap = "noprealloc"; p.HashEntries = 0 }, "hash entries"},
		{"one key", func(p *Params) { p.Hashmap = "lru"; p.HashKeys = 1 }, "hash keys"},
		{"breakdown of spin", func(p *Params) { p.Mode = "spin"; p.Breakdown = true }, "sleep in a wait"},
		{"breakdown unpaced", func(p *Params) { p.Rate = 0; p.Breakdown = true }, "paced rate"},
	} {
		_, err := resolved(t, tc.edit)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q should be one line mentioning %q", tc.name, msg, tc.want)
		}
	}
}

func TestResolveDefaults(t *testing.T) {
	p, err := resolved(t, func(*Params) {})
	if err != nil {
		t.Fatal(err)
	}
	if p.ConsumerCPU != 1 || len(p.ProducerCPUs) != 1 || p.ProducerCPUs[0] != 0 {
		t.Errorf("placement: producers %v consumer %d, want [0] and 1", p.ProducerCPUs, p.ConsumerCPU)
	}
	if p.Wakeup != "adaptive" {
		t.Errorf("ringbuf default wakeup %q", p.Wakeup)
	}
	// More producers than CPUs besides the consumer's: refused as this
	// machine's limit, unless oversubscription is asked for.
	_, err = resolved(t, func(p *Params) { p.Transport = "perfbuf"; p.Producers = 3 })
	var me MachineError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "producers=3 needs 3 CPUs besides the consumer's; this machine has 1 (--oversubscribe") {
		t.Errorf("3 producers on 2 CPUs: %v", err)
	}
	p, err = resolved(t, func(p *Params) { p.Transport = "perfbuf"; p.Producers, p.Oversubscribe = 3, true })
	if err != nil {
		t.Fatal(err)
	}
	if p.Wakeup != "wakeup_events=1" || !slices.Equal(p.ProducerCPUs, []int{0, 0, 0}) {
		t.Errorf("perfbuf: wakeup %q, producers on %v", p.Wakeup, p.ProducerCPUs)
	}
	if got, want := p.ID(), "perfbuf/reader/wakeup_events=1/nohash/rate=100000/batch=1/payload=64/producers=3/oversubscribed"; got != want {
		t.Errorf("ID %q, want %q", got, want)
	}
	// Asked for but not needed, it is not part of the scenario.
	if p, err = resolved(t, func(p *Params) { p.Oversubscribe = true }); err != nil || p.Oversubscribe {
		t.Errorf("oversubscribe with a CPU for each producer: %v, kept %v", err, p.Oversubscribe)
	}
}

func TestParseRate(t *testing.T) {
	if r, err := ParseRate("max"); err != nil || r != 0 {
		t.Errorf("max: %d, %v", r, err)
	}
	if r, err := ParseRate("1e5"); err != nil || r != 100000 {
		t.Errorf("1e5: %d, %v", r, err)
	}
	for _, bad := range []string{"-5", "0", "0.5", "fast", "", "NaN", "1.5", "Inf"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("rate %q accepted", bad)
		}
	}
}

func TestParseCPUs(t *testing.T) {
	prod, cons, err := ParseCPUs("0,1:1")
	if err != nil || len(prod) != 2 || cons != 1 {
		t.Errorf("0,1:1 → %v %d %v", prod, cons, err)
	}
	if prod, cons, err := ParseCPUs(":"); err != nil || prod != nil || cons != -1 {
		t.Errorf(": → %v %d %v", prod, cons, err)
	}
	for _, bad := range []string{"0", "a:1", "0:x", "0:-1"} {
		if _, _, err := ParseCPUs(bad); err == nil {
			t.Errorf("cpus %q accepted", bad)
		}
	}
}

// otherKnobValue is a value other than its default for each mode knob.
var otherKnobValue = map[string]string{"wait": "netpoll", "backoff": "pause"}

// idShows checks that a scenario's ID names a mode's knob exactly when it
// differs from the mode's default for it (schema.Keys).
func idShows(t *testing.T, mode string, k modes.Knob) {
	t.Helper()
	other, ok := otherKnobValue[k.Name]
	if !ok {
		t.Errorf("knob %s: no other value in otherKnobValue; add one", k.Name)
		return
	}
	p := schema.Defaults()
	p.Mode, p.Wakeup = mode, "adaptive"
	*modeKnobFields[k.Name](&p) = k.Default
	if id := p.ID(); strings.Contains(id, k.Name+"=") {
		t.Errorf("%s at its default %s: ID %s names it", k.Name, k.Default, id)
	}
	*modeKnobFields[k.Name](&p) = other
	if id := p.ID(); !strings.Contains(id, "/"+k.Name+"="+other) {
		t.Errorf("%s=%s: ID %s does not name it", k.Name, other, id)
	}
}

// Every knob a mode declares has a place in Params, and a knob set for a
// mode that does not own it is refused naming the modes that do.
func TestModeKnobs(t *testing.T) {
	for _, m := range modes.Modes() {
		for _, k := range m.Knobs {
			if modeKnobFields[k.Name] == nil {
				t.Errorf("mode %s's knob %s has no field in Params (modeKnobFields)", m.Name, k.Name)
				continue
			}
			idShows(t, m.Name, k)
		}
	}
	_, err := resolved(t, func(p *Params) { p.Mode, p.Backoff = "reader", "pause" })
	if err == nil || err.Error() != "backoff applies to the spin mode only (mode is reader)" {
		t.Errorf("backoff on reader: %v", err)
	}
}

// A window edge sampled, or a drain ended, more than the tolerance late
// flags the repetition; within it, nothing.
func TestStretched(t *testing.T) {
	for _, c := range []struct {
		open, close, stop int64
		want              bool
	}{
		{0, 0, 0, false},
		{50e6, 99e6, 20e6, false},
		{101e6, 0, 0, true},
		{0, 150e6, 0, true},
		{0, 0, 2e9, true},
	} {
		got := stretched(schema.ConsumerFacts{OpenLateNs: c.open, CloseLateNs: c.close, StopNs: c.stop})
		if got != c.want {
			t.Errorf("open %d close %d stop %d: stretched %v, want %v", c.open, c.close, c.stop, got, c.want)
		}
	}
}

// natural and natural-sampled resolve per mode and wait to the policy the
// mode runs with in practice, which the ID then names.
func TestResolveNaturalWakeup(t *testing.T) {
	for _, tc := range []struct{ transport, mode, wait, wakeup, want string }{
		{"ringbuf", "spin", "", "natural", "none"},
		{"ringbuf", "spin", "", "natural-sampled", "none"},
		{"perfbuf", "spin", "", "natural", "wakeup_events=1000000"},
		{"ringbuf", "epoll", "", "natural", "adaptive"},
		{"ringbuf", "epoll", "netpoll", "natural-sampled", "sampled:64"},
		{"perfbuf", "reader", "", "natural-sampled", "wakeup_events=64"},
		{"perfbuf", "reader", "", "natural", "wakeup_events=1"},
		{"ringbuf", "c-mmap", "spin", "natural", "none"},
		{"ringbuf", "c-mmap", "epoll", "natural", "adaptive"},
		{"ringbuf", "c-mmap", "", "natural-sampled", "none"}, // c-mmap waits by spinning unless told
		{"ringbuf", "reader", "", "forced", "forced"},
	} {
		p, err := resolved(t, func(p *Params) { p.Transport, p.Mode, p.Wait, p.Wakeup = tc.transport, tc.mode, tc.wait, tc.wakeup })
		if err != nil {
			var me MachineError
			if !errors.As(err, &me) {
				t.Errorf("%+v: %v", tc, err)
				continue
			}
		}
		if p.Wakeup != tc.want || !strings.Contains(p.ID(), "/"+tc.want+"/") {
			t.Errorf("%s %s %s %s: wakeup %q (ID %s), want %q", tc.transport, tc.mode, tc.wait, tc.wakeup, p.Wakeup, p.ID(), tc.want)
		}
	}
}
