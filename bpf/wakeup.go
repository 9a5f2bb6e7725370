package bpf

import (
	"fmt"
	"strconv"
	"strings"

	"ringbench/schema"
)

// Transport is where the producer writes events.
type Transport string

const (
	Ringbuf Transport = schema.TransportRingbuf // BPF_MAP_TYPE_RINGBUF
	Perfbuf Transport = schema.TransportPerfbuf // BPF_MAP_TYPE_PERF_EVENT_ARRAY
	// Sharded is an array of ring buffers (BPF_MAP_TYPE_ARRAY_OF_MAPS), one
	// per group of CPUs, each producing CPU writing to its group's: what
	// production tracers do to spread the one reserve lock of a ring.
	Sharded Transport = schema.TransportSharded
)

// Transports are the transports, in the order help lists them.
var Transports = []Transport{Ringbuf, Perfbuf, Sharded}

// ParseTransport accepts one of Transports.
func ParseTransport(s string) (Transport, error) {
	for _, t := range Transports {
		if Transport(s) == t {
			return t, nil
		}
	}
	names := make([]string, len(Transports))
	for i, t := range Transports {
		names[i] = string(t)
	}
	last := len(names) - 1
	return "", fmt.Errorf("unknown transport %q (want %s or %s)", s, strings.Join(names[:last], ", "), names[last])
}

// IsRingbuf says the transport's rings are BPF ring buffers: their wakeup
// policies, reserve and output apply.
func (t Transport) IsRingbuf() bool { return t == Ringbuf || t == Sharded }

// WakeupKind names a wakeup policy. Ringbuf policies are flags the producer
// passes to submit/output; perfbuf policies are attributes of the per-CPU perf
// events the consumer opens.
type WakeupKind string

const (
	Adaptive     WakeupKind = "adaptive"      // ringbuf: flags 0, kernel wakes a caught-up consumer
	Sampled      WakeupKind = "sampled"       // ringbuf: BPF_RB_NO_WAKEUP except every Nth event per CPU
	Forced       WakeupKind = "forced"        // ringbuf: BPF_RB_FORCE_WAKEUP on every event
	NoWakeup     WakeupKind = "none"          // ringbuf: BPF_RB_NO_WAKEUP always; the consumer must poll
	WakeupEvents WakeupKind = "wakeup_events" // perfbuf: wake after N samples
	Watermark    WakeupKind = "watermark"     // perfbuf: wake after N bytes
)

// Values of the producer's `wakeup` constant (producer.bpf.c).
var wakeupCodes = map[WakeupKind]uint32{Adaptive: 0, Sampled: 1, Forced: 2, NoWakeup: 3}

// Wakeup is a parsed wakeup policy; N is the period or byte count where the
// kind takes one.
type Wakeup struct {
	Kind WakeupKind
	N    int
}

// DefaultWakeup is the policy a transport uses when none is given
// (schema.DefaultWakeup says which).
func DefaultWakeup(t Transport) Wakeup {
	w, err := ParseWakeup(t, schema.DefaultWakeup(string(t)))
	if err != nil {
		panic("bpf: schema's default wakeup does not parse: " + err.Error())
	}
	return w
}

func (w Wakeup) String() string {
	switch w.Kind {
	case Sampled:
		return fmt.Sprintf("sampled:%d", w.N)
	case WakeupEvents, Watermark:
		return fmt.Sprintf("%s=%d", w.Kind, w.N)
	}
	return string(w.Kind)
}

// ParseWakeup parses a policy for transport t: adaptive, forced, none or
// sampled:N for ringbuf; wakeup_events=N or watermark=BYTES for perfbuf.
func ParseWakeup(t Transport, s string) (Wakeup, error) {
	if s == "" {
		return DefaultWakeup(t), nil
	}
	allowed := "adaptive, sampled:N, forced, none"
	if t == Perfbuf {
		allowed = "wakeup_events=N, watermark=BYTES"
	}
	bad := fmt.Errorf("wakeup policy %q does not fit transport %s (want %s)", s, t, allowed)
	name, arg, hasArg := strings.Cut(s, ":")
	if !hasArg {
		name, arg, hasArg = strings.Cut(s, "=")
	}
	w := Wakeup{Kind: WakeupKind(name)}
	switch w.Kind {
	case Adaptive, Forced, NoWakeup:
		if !t.IsRingbuf() || hasArg {
			return Wakeup{}, bad
		}
		return w, nil
	case Sampled:
		if !t.IsRingbuf() || !hasArg || strings.Contains(s, "=") {
			return Wakeup{}, bad
		}
	case WakeupEvents, Watermark:
		if t != Perfbuf || !hasArg || strings.Contains(s, ":") {
			return Wakeup{}, bad
		}
	default:
		return Wakeup{}, bad
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 {
		return Wakeup{}, fmt.Errorf("wakeup policy %q: %s needs a whole number ≥ 1", s, w.Kind)
	}
	w.N = n
	return w, nil
}
