package schema

import (
	"runtime"
	"strconv"
	"strings"
	"time"
)

// A Key is one knob of a scenario as results name it: the run flag and
// matrix key it is set by (bench adds how it is parsed), how a filter reads
// it back, and the part it plays in the scenario's ID and bench.txt name.
// Keys is the one table of them; a knob added to Params gets its entry here
// and nowhere else decides how it is named.
type Key struct {
	Name string
	// Get is the value as a filter compares it, in the form the flag takes.
	Get func(Params) string
	// ID is the key's segment of the scenario's ID, "" when the ID leaves
	// it out (at its default, or carried by another key's segment); nil
	// when the ID never shows it.
	ID func(Params) string
	// Bench is the key's key=value in bench.txt names; nil when they leave
	// it out (benchstat pools what differs only there).
	Bench func(Params) string
}

// Keys in the order their segments appear in IDs and bench.txt names, then
// the keys neither shows.
var Keys = keys()

func keys() []Key {
	var (
		transport = func(p Params) string { return p.Transport }
		mode      = func(p Params) string { return p.Mode }
		wakeup    = func(p Params) string { return p.Wakeup }
		hashmap   = func(p Params) string { return p.Hashmap }
		batch     = num(func(p Params) int { return p.Batch })
		payload   = num(func(p Params) int { return p.Payload })
		producers = num(func(p Params) int { return p.Producers })
		ring      = num(func(p Params) int { return p.RingBytes })
		delivery  = func(p Params) string { return p.Delivery }
		work      = func(p Params) string { return p.Work }
		procs     = num(func(p Params) int { return p.GOMAXPROCS })
		rateKey   = func(p Params) string { return "rate=" + p.RateKey() }
	)
	return []Key{
		{Name: "transport", Get: transport, ID: transport, Bench: kv("transport", transport)},
		{Name: "mode", Get: mode, ID: mode, Bench: benchMode},
		{Name: "wakeup", Get: wakeup, ID: wakeup, Bench: kv("wakeup", wakeup)},
		{Name: "hashmap", Get: hashmap, ID: func(p Params) string {
			if hashed(p) {
				return p.Hashmap
			}
			return "nohash"
		}, Bench: kv("hashmap", hashmap)},
		// The ID's and bench.txt's rate is RateKey: b2b is a rate there.
		{Name: "rate", Get: func(p Params) string {
			if p.Rate == 0 {
				return "max"
			}
			return strconv.FormatUint(p.Rate, 10)
		}, ID: rateKey, Bench: rateKey},
		{Name: "batch", Get: batch, ID: kv("batch", batch), Bench: kv("batch", batch)},
		{Name: "payload", Get: payload, ID: kv("payload", payload), Bench: kv("payload", payload)},
		{Name: "producers", Get: producers, ID: unlessDefault("producers", producers), Bench: kv("producers", producers)},
		{Name: "consumers", Get: num(func(p Params) int { return max(p.Consumers, 1) }), ID: func(p Params) string {
			return when(p.Consumers > 1, "consumers="+strconv.Itoa(p.Consumers))
		}, Bench: func(p Params) string { return when(p.Consumers > 1, "consumers="+strconv.Itoa(p.Consumers)) }},
		{Name: "oversubscribe", Get: flag(func(p Params) bool { return p.Oversubscribe }), ID: func(p Params) string {
			return when(p.Oversubscribe, "oversubscribed")
		}, Bench: func(p Params) string { return when(p.Oversubscribe, "oversubscribed=true") }},
		{Name: "ring-bytes", Get: ring, ID: unlessDefault("ring", ring), Bench: kv("ring", ring)},
		{Name: "cpus-per-ring", Get: num(func(p Params) int { return p.CPUsPerRing }), ID: func(p Params) string {
			return when(p.CPUsPerRing > 1, "cpus-per-ring="+strconv.Itoa(p.CPUsPerRing))
		}, Bench: func(p Params) string { return when(p.CPUsPerRing > 1, "cpus-per-ring="+strconv.Itoa(p.CPUsPerRing)) }},
		// One segment for the flow table's three knobs, when it has one.
		{Name: "hash-keys", Get: num(func(p Params) int { return p.HashKeys }), ID: func(p Params) string {
			d := Defaults()
			if !hashed(p) || (p.HashKeys == d.HashKeys && p.HashEntries == d.HashEntries && p.HashChurn == d.HashChurn) {
				return ""
			}
			return "hash=" + strconv.Itoa(p.HashKeys) + "," + strconv.Itoa(p.HashEntries) + "," + p.HashChurn
		}},
		{Name: "hash-entries", Get: num(func(p Params) int { return p.HashEntries }), ID: inOther},
		{Name: "hash-churn", Get: func(p Params) string { return p.HashChurn }, ID: inOther},
		{Name: "output", Get: flag(func(p Params) bool { return p.Output }), ID: func(p Params) string { return when(p.Output, "output") }},
		// wait and backoff are the modes' own knobs (modes.Knob): a
		// segment when they differ from the mode's default (epoll's thread,
		// c-mmap's spin; TestModeKnobs holds this to the modes).
		{Name: "wait", Get: func(p Params) string { return p.Wait }, ID: func(p Params) string {
			return when(p.Wait != "" && p.Wait != WaitThread && p.Wait != WaitSpin, "wait="+p.Wait)
		}},
		{Name: "backoff", Get: func(p Params) string { return p.Backoff }, ID: func(p Params) string {
			return when(p.Backoff != "" && p.Backoff != "none", "backoff="+p.Backoff)
		}},
		{Name: "delivery", Get: delivery, ID: unlessDefault("delivery", delivery), Bench: kv("delivery", delivery)},
		{Name: "work", Get: work, ID: unlessDefault("work", work), Bench: kv("work", work)},
		// netpoll cannot pin: its IDs do not say so.
		{Name: "pin", Get: flag(func(p Params) bool { return p.Pin }), ID: func(p Params) string {
			return when(!p.Pin && p.Wait != WaitNetpoll, "nopin")
		}},
		{Name: "gomaxprocs", Get: procs, ID: func(p Params) string {
			return when(p.GOMAXPROCS != 0 && p.GOMAXPROCS != runtime.NumCPU(), "gomaxprocs="+procs(p))
		}, Bench: kv("gomaxprocs", procs)},
		// Without latency there is no clock to read: one segment for both.
		{Name: "clock", Get: func(p Params) string { return p.LatencyClock }, ID: func(p Params) string {
			if p.NoLatency {
				return "latency=false"
			}
			return when(p.LatencyClock != "" && p.LatencyClock != Defaults().LatencyClock, "clock="+p.LatencyClock)
		}},
		{Name: "latency", Get: flag(func(p Params) bool { return !p.NoLatency }), ID: inOther},
		// Empty for a mode that commits its own way (the readers of
		// cilium/ebpf and libbpf), or in results from before the knob.
		{Name: "commit", Get: func(p Params) string { return p.Commit }, ID: func(p Params) string {
			return when(p.Commit != "" && p.Commit != Defaults().Commit, "commit="+p.Commit)
		}},
		{Name: "count-syscalls", Get: flag(func(p Params) bool { return !p.NoSyscallCount }), ID: func(p Params) string {
			return when(p.NoSyscallCount, "count-syscalls=false")
		}},
		// Its instruments change what is measured: never pooled with the
		// plain run.
		{Name: "breakdown", Get: flag(func(p Params) bool { return p.Breakdown }), ID: func(p Params) string {
			return when(p.Breakdown, "breakdown")
		}, Bench: func(p Params) string { return when(p.Breakdown, "breakdown=true") }},
		// In rate's segment.
		{Name: "b2b", Get: flag(func(p Params) bool { return p.B2B })},
		// How long, where, and the safety net of a wait: not what is
		// measured.
		{Name: "duration", Get: secs(func(p Params) float64 { return p.DurationS })},
		{Name: "warmup", Get: secs(func(p Params) float64 { return p.WarmupS })},
		{Name: "poll-timeout", Get: func(p Params) string { return p.PollTimeout }},
		{Name: "cpus", Get: func(p Params) string {
			cpus := make([]string, len(p.ProducerCPUs))
			for i, c := range p.ProducerCPUs {
				cpus[i] = strconv.Itoa(c)
			}
			return strings.Join(cpus, ",") + ":" + strconv.Itoa(p.ConsumerCPU)
		}},
	}
}

// KeyNamed returns the key of that name.
func KeyNamed(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// ID names the scenario in results: the DESIGN.md path plus the knobs that
// differ from their defaults, each key's segment in Keys' order.
func (p Params) ID() string { return p.segments(func(k Key) func(Params) string { return k.ID }) }

// BenchName is a scenario as a Go benchmark name: every knob as key=value,
// so benchstat can slice by any of them (-col /mode -row /rate).
func (p Params) BenchName() string {
	return "BenchmarkConsume/" + p.segments(func(k Key) func(Params) string { return k.Bench })
}

// segments joins the non-empty segments one form of the keys gives p.
func (p Params) segments(form func(Key) func(Params) string) string {
	var segs []string
	for _, k := range Keys {
		if f := form(k); f != nil {
			if s := f(p); s != "" {
				segs = append(segs, s)
			}
		}
	}
	return strings.Join(segs, "/")
}

// benchMode is the mode with the knobs that belong to it (epoll's wait,
// spin's backoff, and pinning, which netpoll cannot do), so that with
// -col /mode the modes of one sweep share their rows.
func benchMode(p Params) string {
	mode := ModeLabel(p.Mode, p.Wait)
	if p.Backoff != "" && p.Backoff != "none" {
		mode += "-" + p.Backoff
	}
	if !p.Pin && p.Wait != WaitNetpoll {
		mode += "-nopin"
	}
	return "mode=" + mode
}

func hashed(p Params) bool { return p.Hashmap != "none" && p.Hashmap != "" }

func when(cond bool, seg string) string {
	if cond {
		return seg
	}
	return ""
}

// inOther marks a key whose value another key's segment carries.
func inOther(Params) string { return "" }

// kv is a label=value segment.
func kv(label string, get func(Params) string) func(Params) string {
	return func(p Params) string { return label + "=" + get(p) }
}

// unlessDefault is a label=value segment shown when the value differs from
// Defaults'.
func unlessDefault(label string, get func(Params) string) func(Params) string {
	return func(p Params) string { return when(get(p) != get(Defaults()), label+"="+get(p)) }
}

func num(f func(Params) int) func(Params) string {
	return func(p Params) string { return strconv.Itoa(f(p)) }
}

func flag(f func(Params) bool) func(Params) string {
	return func(p Params) string { return strconv.FormatBool(f(p)) }
}

// secs writes seconds as a Go duration, as the flags take them.
func secs(f func(Params) float64) func(Params) string {
	return func(p Params) string { return time.Duration(f(p) * float64(time.Second)).String() }
}
