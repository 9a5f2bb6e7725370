package bench

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"ringbench/bpf"
	"ringbench/internal/cpulist"
	"ringbench/modes"
	"ringbench/schema"
)

// ParseRate accepts a positive number of events per second or "max".
func ParseRate(s string) (uint64, error) {
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || !(n >= 1 && n <= 1e12) || n != math.Trunc(n) {
		return 0, fmt.Errorf("rate %q: want a whole number of events per second from 1 to 1e12, or max", s)
	}
	return uint64(n), nil
}

// ParseCPUs parses a placement "PRODUCERS:CONSUMER", e.g. "0:1" or "0,1:1";
// either side may be empty for the default.
func ParseCPUs(s string) (producers []int, consumer int, err error) {
	prod, cons, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0, fmt.Errorf("cpus %q: want PRODUCER_CPUS:CONSUMER_CPU, e.g. 0:1 or 0,1:1", s)
	}
	consumer = -1
	if prod != "" {
		if producers, err = cpulist.Parse(prod); err != nil {
			return nil, 0, fmt.Errorf("cpus %q: producer CPUs: %v", s, err)
		}
	}
	if cons != "" {
		if consumer, err = strconv.Atoi(cons); err != nil || consumer < 0 {
			return nil, 0, fmt.Errorf("cpus %q: consumer CPU must be one CPU number", s)
		}
	}
	return producers, consumer, nil
}

// Spec is a scenario resolved once: its Params as run.json names them,
// normalised, and every knob as the packages that act on it take it. The
// string forms are parsed here and nowhere else.
type Spec struct {
	Params    Params
	Transport bpf.Transport
	Wakeup    bpf.Wakeup
	Hash      bpf.Hash
	Delivery  modes.Delivery
	Work      modes.Work
	// Knobs holds the typed values of the knobs the mode owns (spin's
	// backoff, epoll's wait), as the mode applied them.
	Knobs       modes.Setup
	Clock       modes.LatencyClock
	Commit      modes.Commit
	PollTimeout time.Duration
}

// naturalWakeup resolves the symbolic policies natural and
// natural-sampled to the one the scenario's mode, waiting its way, runs
// with in practice (schema.NaturalWakeups); any other policy is kept.
func naturalWakeup(p Params, m modes.Mode) string {
	if p.Wakeup != schema.WakeupNatural && p.Wakeup != schema.WakeupNaturalSampled {
		return p.Wakeup
	}
	ws := schema.NaturalWakeups(p.Transport, m.PollsWith(p.Wait))
	if p.Wakeup == schema.WakeupNaturalSampled {
		return ws[len(ws)-1]
	}
	return ws[0]
}

// Resolve fills what depends on the machine and checks everything, so a
// scenario that cannot run is refused before anything is loaded. The error
// is one line saying what is wrong and what is allowed.
func Resolve(p *Params, online []int) error {
	s, err := Compile(*p, online)
	// A scenario this machine cannot run is resolved all the same (placing
	// it is the last step), so that its skip is recorded under its ID.
	var me MachineError
	if err == nil || errors.As(err, &me) {
		*p = s.Params
	}
	return err
}

// Compile resolves p (as Resolve does) into a Spec.
func Compile(params Params, online []int) (Spec, error) {
	s := Spec{Params: params}
	err := compile(&s, online)
	return s, err
}

func compile(s *Spec, online []int) (err error) {
	p := &s.Params
	if s.Transport, err = bpf.ParseTransport(p.Transport); err != nil {
		return err
	}
	tr := s.Transport
	m, err := modes.Lookup(p.Mode)
	if err != nil {
		return err
	}
	p.Wakeup = naturalWakeup(*p, m)
	if s.Wakeup, err = bpf.ParseWakeup(tr, p.Wakeup); err != nil {
		return err
	}
	w := s.Wakeup
	p.Wakeup = w.String()
	if p.NoLatency {
		if p.Payload != bpf.CompactEventSize && p.Payload != schema.Defaults().Payload {
			return fmt.Errorf("latency=false sends %d-byte events (CPU and sequence, no timestamp); payload %d does not apply", bpf.CompactEventSize, p.Payload)
		}
		p.Payload = bpf.CompactEventSize
	}
	page := os.Getpagesize()
	switch {
	case p.Batch < 1 || p.Batch > 1<<20:
		return fmt.Errorf("batch %d: want 1..%d events per trigger", p.Batch, 1<<20)
	case p.RingBytes < page || p.RingBytes&(p.RingBytes-1) != 0:
		return fmt.Errorf("ring size %d: want a power of two of at least the page size (%d)", p.RingBytes, page)
	case !p.NoLatency && (p.Payload < bpf.EventHeaderSize || p.Payload > bpf.MaxPayload):
		return fmt.Errorf("payload %d: want %d..%d bytes (the event header up to the producer's per-CPU scratch)", p.Payload, bpf.EventHeaderSize, bpf.MaxPayload)
	case p.Payload+16 > p.RingBytes:
		return fmt.Errorf("payload %d does not fit a %d-byte ring with its record header", p.Payload, p.RingBytes)
	case w.Kind == bpf.Watermark && w.N >= p.RingBytes:
		return fmt.Errorf("watermark %d: must be below the ring size %d", w.N, p.RingBytes)
	case p.Output && !tr.IsRingbuf():
		return fmt.Errorf("output applies to the ringbuf transport only (and ringbuf-sharded)")
	case tr != bpf.Sharded && p.CPUsPerRing > 1:
		return fmt.Errorf("cpus-per-ring applies to the ringbuf-sharded transport only")
	case tr == bpf.Sharded && (p.CPUsPerRing < 1 || p.CPUsPerRing > 4096):
		return fmt.Errorf("cpus-per-ring %d: want 1..4096", p.CPUsPerRing)
	case p.Producers < 1 || p.Producers > 1024:
		return fmt.Errorf("producers %d: want at least 1", p.Producers)
	case p.DurationS <= 0:
		return fmt.Errorf("duration must be positive")
	case p.WarmupS < 0:
		return fmt.Errorf("warm-up must not be negative")
	}
	if tr != bpf.Sharded {
		p.CPUsPerRing = 0 // not a knob of this transport
	}
	if err := resolveMode(s, m, len(online)); err != nil {
		return err
	}
	if s.Hash, err = hashOf(*p); err != nil {
		return err
	}
	if p.GOMAXPROCS < 0 || p.GOMAXPROCS > 1024 {
		return fmt.Errorf("gomaxprocs %d: want 1..1024, or 0 for the runtime's default", p.GOMAXPROCS)
	}
	if p.GOMAXPROCS == 0 {
		p.GOMAXPROCS = runtime.GOMAXPROCS(0)
	}
	if p.B2B {
		// The kernel benchmark's back-to-back topology: one thread, on the
		// consumer's CPU, triggers and consumes in turn.
		if p.Producers != 1 || len(p.ProducerCPUs) > 1 {
			return fmt.Errorf("b2b: the consumer is the only producer (got %d producers)", p.Producers)
		}
		p.Rate = 0
		if err := place(p, online); err != nil {
			return err
		}
		p.ProducerCPUs = []int{p.ConsumerCPU}
		return nil
	}
	return place(p, online)
}

// resolveMode checks the options that belong to one mode and normalises
// them, so a result names only the knobs that applied.
func resolveMode(s *Spec, m modes.Mode, online int) (err error) {
	p := &s.Params
	FillDefaults(p)
	if s.Delivery, err = modes.ParseDelivery(p.Delivery); err != nil {
		return err
	}
	p.Delivery = s.Delivery.String()
	if s.Work, err = modes.ParseWork(p.Work); err != nil {
		return err
	}
	p.Work = s.Work.String()
	if s.Clock, err = modes.ParseLatencyClock(p.LatencyClock); err != nil {
		return err
	}
	switch {
	case m.OwnCommit != "":
		s.Commit = m.OwnCommit // FillDefaults left p.Commit empty: not a knob here
	default:
		if s.Commit, err = modes.ParseCommit(p.Commit); err != nil {
			return err
		}
		if s.Commit == modes.CommitRecord && s.Delivery.Channel {
			return fmt.Errorf("commit record applies to inline delivery: with a channel, ring space goes back per batch the worker returns")
		}
	}
	if s.PollTimeout, err = time.ParseDuration(p.PollTimeout); err != nil || s.PollTimeout <= 0 || s.PollTimeout > time.Minute {
		return fmt.Errorf("poll timeout %q: want a duration from 1ns to 1m, e.g. 10ms", p.PollTimeout)
	}
	if err := checkInC(m, p); err != nil {
		return err
	}
	if err := checkConsumers(m, s, online); err != nil {
		return err
	}
	if m.OneRing && p.Transport == string(bpf.Sharded) {
		return fmt.Errorf("the %s mode reads one ring buffer; for ringbuf-sharded use %s", m.Name, multiRingModes())
	}
	for _, name := range sortedKeys(modeKnobFields) {
		v := modeKnobFields[name](p)
		i := slices.IndexFunc(m.Knobs, func(k modes.Knob) bool { return k.Name == name })
		if i < 0 {
			if *v != "" {
				owners := modes.KnobOwners(name)
				kind := "mode"
				if len(owners) > 1 {
					kind = "modes"
				}
				return fmt.Errorf("%s applies to the %s %s only (mode is %s)", name, strings.Join(owners, " and "), kind, p.Mode)
			}
			continue
		}
		if *v, err = m.Knobs[i].Apply(&s.Knobs, *v); err != nil {
			return err
		}
	}
	if p.Breakdown && (!m.Sleeps || p.Rate == 0 || p.B2B) {
		return errBreakdownMode(p.Mode)
	}
	return nil
}

// multiRingModes names the modes that can read several rings or a part of
// them.
func multiRingModes() string {
	return strings.Join(modes.NamesWhere(func(m modes.Mode) bool { return !m.OneRing }), ", ")
}

// checkConsumers refuses a split of rings that cannot be split: a single
// ring buffer, back to back, a mode that reads every ring through one
// library reader, or more consumers than rings.
func checkConsumers(m modes.Mode, s *Spec, online int) error {
	p := &s.Params
	if p.Consumers < 0 || p.Consumers > 1024 {
		return fmt.Errorf("consumers %d: want 1..1024", p.Consumers)
	}
	if p.Consumers <= 1 {
		p.Consumers = 0 // one, the default
		return nil
	}
	rings := 0
	switch s.Transport {
	case bpf.Ringbuf:
		return fmt.Errorf("consumers=%d: one ring buffer cannot be split among consumers (several readers of one ring are the article's CAS consumers, claim C12); use perfbuf or ringbuf-sharded", p.Consumers)
	case bpf.Perfbuf:
		rings = online // a ring per online CPU
	case bpf.Sharded:
		rings = bpf.ShardCount(online, max(p.CPUsPerRing, 1))
	}
	switch {
	case p.B2B:
		return fmt.Errorf("consumers=%d: back to back, one thread triggers and consumes", p.Consumers)
	case m.OneRing:
		return fmt.Errorf("consumers=%d: the %s mode reads every ring through one library reader; split rings with %s", p.Consumers, m.Name, multiRingModes())
	case p.Breakdown:
		return fmt.Errorf("consumers=%d: the breakdown follows one consumer thread", p.Consumers)
	case p.Consumers > rings:
		return MachineError{fmt.Sprintf("consumers=%d: %s has only %d rings here to split", p.Consumers, s.Transport, rings)}
	}
	return nil
}

// checkInC refuses what a mode whose loop runs in C cannot do, and a mode
// this binary cannot run.
func checkInC(m modes.Mode, p *Params) error {
	if m.Unavailable != "" {
		return MachineError{fmt.Sprintf("mode %s is unavailable: %s; build ringbench with cgo and libbpf-dev to run it", m.Name, m.Unavailable)}
	}
	if !m.InC {
		return nil
	}
	switch {
	case p.Delivery != schema.Defaults().Delivery:
		return fmt.Errorf("delivery %s: the %s mode records in C and hands no event to a Go channel; use delivery=inline", p.Delivery, m.Name)
	case p.Work != schema.Defaults().Work:
		return fmt.Errorf("work %s: the %s mode records in C, where there is no Go work to do; use work=0", p.Work, m.Name)
	case p.Breakdown:
		return fmt.Errorf("breakdown: the %s mode records in C, which keeps no read trace; run the breakdown with the Go modes", m.Name)
	}
	return nil
}

// FillDefaults gives the knobs left empty their defaults, the scenario's,
// the transport's wakeup policy and those of the knobs its mode owns, and unpins a consumer that waits in
// Go's netpoller (it has no thread to pin). Resolving does it first; a
// reader of results from before a knob existed does it to compare alike.
func FillDefaults(p *Params) {
	d := schema.Defaults()
	for _, f := range []struct{ v, def *string }{{&p.Hashmap, &d.Hashmap}, {&p.Delivery, &d.Delivery},
		{&p.Work, &d.Work}, {&p.LatencyClock, &d.LatencyClock}, {&p.Commit, &d.Commit}, {&p.PollTimeout, &d.PollTimeout}} {
		if *f.v == "" {
			*f.v = *f.def
		}
	}
	if m, err := modes.Lookup(p.Mode); err == nil {
		if m.OwnCommit != "" {
			p.Commit = "" // the mode's own way, not a knob (results before this said "record")
		}
		for _, k := range m.Knobs {
			if v := modeKnobFields[k.Name]; v != nil && *v(p) == "" {
				*v(p) = k.Default
			}
		}
	}
	if tr, err := bpf.ParseTransport(p.Transport); err == nil && p.Wakeup == "" {
		p.Wakeup = bpf.DefaultWakeup(tr).String()
	}
	if p.Wait == modes.WaitNetpoll {
		p.Pin = false
	}
}

// modeKnobFields are where Params keeps the knobs modes own (modes.Knob),
// by name; a test holds every mode's knobs to an entry here.
var modeKnobFields = map[string]func(*Params) *string{
	"backoff": func(p *Params) *string { return &p.Backoff },
	"wait":    func(p *Params) *string { return &p.Wait },
}

// hash is the flow-table configuration of the producer.
func hashOf(p Params) (bpf.Hash, error) {
	h := bpf.Hash{Kind: p.Hashmap, Keys: p.HashKeys, Entries: p.HashEntries}
	if p.Hashmap != "none" {
		var err error
		if h.Ins, h.Upd, h.Del, err = bpf.ParseChurn(p.HashChurn); err != nil {
			return h, err
		}
	}
	return h, bpf.Options{Transport: bpf.Ringbuf, Batch: 1, Payload: bpf.EventHeaderSize,
		RingBytes: os.Getpagesize(), Hash: h}.Check()
}

// place picks CPUs: the consumer on the last online CPU, producers round
// robin over the others (all of them if there is only one), unless given.
func place(p *Params, online []int) error {
	isOnline := map[int]bool{}
	for _, c := range online {
		isOnline[c] = true
	}
	if p.ConsumerCPU < 0 {
		p.ConsumerCPU = online[len(online)-1]
	}
	if !isOnline[p.ConsumerCPU] {
		return MachineError{fmt.Sprintf("consumer CPU %d does not exist or is offline (online: %v)", p.ConsumerCPU, online)}
	}
	p.ConsumerCPUs = nil
	if p.Consumers > 1 {
		// The last online CPUs, one each.
		if p.Consumers > len(online) {
			return MachineError{fmt.Sprintf("consumers=%d needs %d CPUs; this machine has %d", p.Consumers, p.Consumers, len(online))}
		}
		p.ConsumerCPUs = slices.Clone(online[len(online)-p.Consumers:])
		p.ConsumerCPU = p.ConsumerCPUs[0]
	}
	consumer := func(c int) bool { return slices.Contains(p.AllConsumerCPUs(), c) }
	if len(p.ProducerCPUs) == 0 {
		pool := make([]int, 0, len(online))
		for _, c := range online {
			if !consumer(c) {
				pool = append(pool, c)
			}
		}
		// A one-CPU machine has nothing else: its producer shares it. With
		// more, consumers that take every CPU leave the producers none.
		shared := len(pool) == 0 && len(online) > 1
		if len(pool) == 0 {
			pool = online
		}
		switch {
		case shared && !p.Oversubscribe:
			return MachineError{fmt.Sprintf("consumers=%d take every CPU, leaving the producers none (--oversubscribe stacks them on the consumers' CPUs)", p.Consumers)}
		case shared:
		case p.Producers <= len(pool):
			p.Oversubscribe = false // every producer has a CPU of its own
		case !p.Oversubscribe:
			return MachineError{fmt.Sprintf("producers=%d needs %d CPUs besides the consumer's; this machine has %d (--oversubscribe stacks them round robin, and the figures then measure the sharing)",
				p.Producers, p.Producers, len(pool))}
		}
		for i := range p.Producers {
			p.ProducerCPUs = append(p.ProducerCPUs, pool[i%len(pool)])
		}
	} else {
		p.Oversubscribe = false // placed by hand: --cpus says where
	}
	if len(p.ProducerCPUs) != p.Producers {
		return fmt.Errorf("%d producer CPUs given for %d producers", len(p.ProducerCPUs), p.Producers)
	}
	for _, c := range p.ProducerCPUs {
		if !isOnline[c] {
			return MachineError{fmt.Sprintf("producer CPU %d does not exist or is offline (online: %v)", c, online)}
		}
	}
	return nil
}

// MachineError is a scenario this machine cannot run though it is well
// formed (a CPU it does not have): a matrix lists it as skipped, where a
// malformed scenario is refused.
type MachineError struct{ Reason string }

func (e MachineError) Error() string { return e.Reason }
