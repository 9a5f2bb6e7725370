package bench

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// A matrix key sets one field of Params from one value. The names are
// those of ringbench run's flags.
type keySetter func(p *Params, v string, online []int) error

var matrixKeys = map[string]keySetter{
	"transport":    func(p *Params, v string, _ []int) error { p.Transport = v; return nil },
	"mode":         func(p *Params, v string, _ []int) error { p.Mode = v; return nil },
	"wakeup":       func(p *Params, v string, _ []int) error { p.Wakeup = orEmpty(v); return nil },
	"hashmap":      func(p *Params, v string, _ []int) error { p.Hashmap = v; return nil },
	"hash-churn":   func(p *Params, v string, _ []int) error { p.HashChurn = v; return nil },
	"delivery":     func(p *Params, v string, _ []int) error { p.Delivery = v; return nil },
	"work":         func(p *Params, v string, _ []int) error { p.Work = v; return nil },
	"backoff":      func(p *Params, v string, _ []int) error { p.Backoff = v; return nil },
	"wait":         func(p *Params, v string, _ []int) error { p.Wait = v; return nil },
	"poll-timeout": func(p *Params, v string, _ []int) error { p.PollTimeout = v; return nil },
	"rate": func(p *Params, v string, _ []int) (err error) {
		p.Rate, err = ParseRate(v)
		return err
	},
	"batch":        intKey("batch", func(p *Params) *int { return &p.Batch }),
	"payload":      intKey("payload", func(p *Params) *int { return &p.Payload }),
	"ring-bytes":   intKey("ring-bytes", func(p *Params) *int { return &p.RingBytes }),
	"gomaxprocs":   intKey("gomaxprocs", func(p *Params) *int { return &p.GOMAXPROCS }),
	"hash-keys":    intKey("hash-keys", func(p *Params) *int { return &p.HashKeys }),
	"hash-entries": intKey("hash-entries", func(p *Params) *int { return &p.HashEntries }),
	"pin":          boolKey("pin", func(p *Params) *bool { return &p.Pin }),
	"b2b":          boolKey("b2b", func(p *Params) *bool { return &p.B2B }),
	"output":       boolKey("output", func(p *Params) *bool { return &p.Output }),
	"producers": func(p *Params, v string, online []int) error {
		if v == "all" {
			p.Producers = producerCPUs(online)
			return nil
		}
		return intKey("producers", func(p *Params) *int { return &p.Producers })(p, v, online)
	},
	"duration": durationKey("duration", func(p *Params) *float64 { return &p.DurationS }),
	"warmup":   durationKey("warmup", func(p *Params) *float64 { return &p.WarmupS }),
	"cpus": func(p *Params, v string, _ []int) (err error) {
		p.ProducerCPUs, p.ConsumerCPU, err = ParseCPUs(v)
		if err == nil && len(p.ProducerCPUs) > 0 {
			p.Producers = len(p.ProducerCPUs)
		}
		return err
	},
}

// orEmpty maps "default" to the transport's default wakeup.
func orEmpty(v string) string {
	if v == "default" {
		return ""
	}
	return v
}

func intKey(name string, field func(*Params) *int) keySetter {
	return func(p *Params, v string, _ []int) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%s %q: want a whole number", name, v)
		}
		*field(p) = n
		return nil
	}
}

func durationKey(name string, field func(*Params) *float64) keySetter {
	return func(p *Params, v string, _ []int) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%s %q: want a duration such as 3s or 500ms", name, v)
		}
		*field(p) = d.Seconds()
		return nil
	}
}

func boolKey(name string, field func(*Params) *bool) keySetter {
	return func(p *Params, v string, _ []int) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s %q: want true or false", name, v)
		}
		*field(p) = b
		return nil
	}
}

// matrixKeyOrder is the nesting of the cross product, outermost first; it
// decides the order scenarios run and are reported in.
var matrixKeyOrder = []string{"hashmap", "transport", "mode", "wait", "backoff", "wakeup", "payload",
	"batch", "producers", "cpus", "ring-bytes", "output", "delivery", "work", "pin", "b2b", "gomaxprocs",
	"hash-keys", "hash-entries", "hash-churn", "poll-timeout", "duration", "warmup", "rate"}

// MatrixKeyNames lists the keys a matrix block (and a filter) accepts, in
// nesting order.
func MatrixKeyNames() []string {
	if len(matrixKeyOrder) != len(matrixKeys) {
		panic("bench: matrixKeyOrder and matrixKeys disagree")
	}
	return matrixKeyOrder
}

// params applies a combination to the defaults and resolves it. A
// well-formed scenario this machine cannot run comes back with skip set.
func (m *Matrix) params(combo map[string]string, online []int) (p Params, skip string, err error) {
	p = Defaults()
	p.ConsumerCPU = -1
	p.DurationS, p.WarmupS = m.Duration.Seconds(), m.Warmup.Seconds()
	keys := make([]string, 0, len(combo))
	for k := range combo {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := matrixKeys[k](&p, combo[k], online); err != nil {
			return p, "", err
		}
	}
	want := p.Producers
	if err := p.Resolve(online); err != nil {
		var me MachineError
		if errors.As(err, &me) {
			return p, me.Reason, nil
		}
		return p, "", err
	}
	if avail := producerCPUs(online); want > avail && combo["cpus"] == "" && !p.B2B {
		skip = fmt.Sprintf("producers=%d needs %d CPUs besides the consumer's; this machine has %d", want, want, avail)
	}
	return p, skip, nil
}
