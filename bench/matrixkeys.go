package bench

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ringbench/schema"
)

// A matrixKey is one knob of a scenario under the name of ringbench run's
// flag: set applies a value to Params (a matrix block), get reads it back
// from a resolved scenario in the same form (a filter). Keeping both in one
// entry means a key cannot be settable yet invisible to filters.
type matrixKey struct {
	set    func(p *Params, v string, online []int) error
	get    func(p Params) string
	isBool bool // a switch: a flag without a value means true
}

var matrixKeys = map[string]matrixKey{
	"transport":      stringKey(func(p *Params) *string { return &p.Transport }),
	"mode":           stringKey(func(p *Params) *string { return &p.Mode }),
	"hashmap":        stringKey(func(p *Params) *string { return &p.Hashmap }),
	"hash-churn":     stringKey(func(p *Params) *string { return &p.HashChurn }),
	"delivery":       stringKey(func(p *Params) *string { return &p.Delivery }),
	"work":           stringKey(func(p *Params) *string { return &p.Work }),
	"backoff":        stringKey(func(p *Params) *string { return &p.Backoff }),
	"wait":           stringKey(func(p *Params) *string { return &p.Wait }),
	"poll-timeout":   stringKey(func(p *Params) *string { return &p.PollTimeout }),
	"clock":          stringKey(func(p *Params) *string { return &p.LatencyClock }),
	"commit":         stringKey(func(p *Params) *string { return &p.Commit }),
	"latency":        notBoolKey("latency", func(p *Params) *bool { return &p.NoLatency }),
	"count-syscalls": notBoolKey("count-syscalls", func(p *Params) *bool { return &p.NoSyscallCount }),
	"wakeup": {
		// "default" is the transport's default wakeup.
		set: func(p *Params, v string, _ []int) error {
			if v == "default" {
				v = ""
			}
			p.Wakeup = v
			return nil
		},
		get: func(p Params) string { return p.Wakeup },
	},
	"rate": {
		set: func(p *Params, v string, _ []int) (err error) {
			p.Rate, err = ParseRate(v)
			return err
		},
		get: func(p Params) string {
			if p.Rate == 0 {
				return "max"
			}
			return strconv.FormatUint(p.Rate, 10)
		},
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
	"breakdown":    boolKey("breakdown", func(p *Params) *bool { return &p.Breakdown }),
	"producers":    producersKey(),
	"duration":     durationKey("duration", func(p *Params) *float64 { return &p.DurationS }),
	"warmup":       durationKey("warmup", func(p *Params) *float64 { return &p.WarmupS }),
	"cpus": {
		set: func(p *Params, v string, _ []int) (err error) {
			p.ProducerCPUs, p.ConsumerCPU, err = ParseCPUs(v)
			if err == nil && len(p.ProducerCPUs) > 0 {
				p.Producers = len(p.ProducerCPUs)
			}
			return err
		},
		get: func(p Params) string {
			cpus := make([]string, len(p.ProducerCPUs))
			for i, c := range p.ProducerCPUs {
				cpus[i] = strconv.Itoa(c)
			}
			return strings.Join(cpus, ",") + ":" + strconv.Itoa(p.ConsumerCPU)
		},
	},
}

func stringKey(field func(*Params) *string) matrixKey {
	return matrixKey{
		set: func(p *Params, v string, _ []int) error { *field(p) = v; return nil },
		get: func(p Params) string { return *field(&p) },
	}
}

func intKey(name string, field func(*Params) *int) matrixKey {
	return matrixKey{
		set: func(p *Params, v string, _ []int) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s %q: want a whole number", name, v)
			}
			*field(p) = n
			return nil
		},
		get: func(p Params) string { return strconv.Itoa(*field(&p)) },
	}
}

// producersKey is intKey plus "all": one producer per CPU the consumer
// leaves free.
func producersKey() matrixKey {
	k := intKey("producers", func(p *Params) *int { return &p.Producers })
	number := k.set
	k.set = func(p *Params, v string, online []int) error {
		if v == "all" {
			p.Producers = producerCPUs(online)
			return nil
		}
		return number(p, v, online)
	}
	return k
}

func durationKey(name string, field func(*Params) *float64) matrixKey {
	return matrixKey{
		set: func(p *Params, v string, _ []int) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%s %q: want a duration such as 3s or 500ms", name, v)
			}
			*field(p) = d.Seconds()
			return nil
		},
		get: func(p Params) string { return seconds(*field(&p)).String() },
	}
}

func boolKey(name string, field func(*Params) *bool) matrixKey {
	return matrixKey{isBool: true,
		set: func(p *Params, v string, _ []int) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s %q: want true or false", name, v)
			}
			*field(p) = b
			return nil
		},
		get: func(p Params) string { return strconv.FormatBool(*field(&p)) },
	}
}

// notBoolKey is a true-by-default knob kept as its negation in Params, so
// results written before it existed read as its default.
func notBoolKey(name string, field func(*Params) *bool) matrixKey {
	k := boolKey(name, field)
	return matrixKey{isBool: true,
		set: func(p *Params, v string, online []int) error {
			if err := k.set(p, v, online); err != nil {
				return err
			}
			*field(p) = !*field(p)
			return nil
		},
		get: func(p Params) string { return strconv.FormatBool(!*field(&p)) },
	}
}

// matrixKeyOrder is the nesting of the cross product, outermost first; it
// decides the order scenarios run and are reported in.
var matrixKeyOrder = []string{"hashmap", "transport", "mode", "wait", "backoff", "wakeup", "payload",
	"batch", "producers", "cpus", "ring-bytes", "output", "delivery", "work", "pin", "b2b", "gomaxprocs",
	"hash-keys", "hash-entries", "hash-churn", "poll-timeout", "clock", "latency", "commit", "count-syscalls",
	"breakdown", "duration", "warmup", "rate"}

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
	p = schema.Defaults()
	p.ConsumerCPU = -1
	p.DurationS, p.WarmupS = m.Duration.Seconds(), m.Warmup.Seconds()
	for _, k := range sortedKeys(combo) {
		if err := matrixKeys[k].set(&p, combo[k], online); err != nil {
			return p, "", err
		}
	}
	if err := Resolve(&p, online); err != nil {
		var me MachineError
		if errors.As(err, &me) {
			return p, me.Reason, nil
		}
		return p, "", err
	}
	if avail := producerCPUs(online); !m.ShareCPUs && p.Producers > avail && combo["cpus"] == "" && !p.B2B {
		skip = fmt.Sprintf("producers=%d needs %d CPUs besides the consumer's; this machine has %d", p.Producers, p.Producers, avail)
	}
	return p, skip, nil
}
