package bench

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"ringbench/schema"
)

// A matrixKey is how one of schema.Keys is set from ringbench run's flag
// or a matrix block's value; the schema's entry reads it back (a filter)
// and names it (IDs, bench.txt). A test keeps the two tables in step.
type matrixKey struct {
	set    func(p *Params, v string, online []int) error
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
	},
	"rate": {
		set: func(p *Params, v string, _ []int) (err error) {
			p.Rate, err = ParseRate(v)
			return err
		},
	},
	"batch":         intKey("batch", func(p *Params) *int { return &p.Batch }),
	"payload":       intKey("payload", func(p *Params) *int { return &p.Payload }),
	"ring-bytes":    intKey("ring-bytes", func(p *Params) *int { return &p.RingBytes }),
	"cpus-per-ring": intKey("cpus-per-ring", func(p *Params) *int { return &p.CPUsPerRing }),
	"gomaxprocs":    intKey("gomaxprocs", func(p *Params) *int { return &p.GOMAXPROCS }),
	"hash-keys":     intKey("hash-keys", func(p *Params) *int { return &p.HashKeys }),
	"hash-entries":  intKey("hash-entries", func(p *Params) *int { return &p.HashEntries }),
	"pin":           boolKey("pin", func(p *Params) *bool { return &p.Pin }),
	"b2b":           boolKey("b2b", func(p *Params) *bool { return &p.B2B }),
	"output":        boolKey("output", func(p *Params) *bool { return &p.Output }),
	"breakdown":     boolKey("breakdown", func(p *Params) *bool { return &p.Breakdown }),
	"producers":     producersKey(),
	"consumers":     intKey("consumers", func(p *Params) *int { return &p.Consumers }),
	"oversubscribe": boolKey("oversubscribe", func(p *Params) *bool { return &p.Oversubscribe }),
	"duration":      durationKey("duration", func(p *Params) *float64 { return &p.DurationS }),
	"warmup":        durationKey("warmup", func(p *Params) *float64 { return &p.WarmupS }),
	"cpus": {
		set: func(p *Params, v string, _ []int) (err error) {
			p.ProducerCPUs, p.ConsumerCPU, err = ParseCPUs(v)
			if err == nil && len(p.ProducerCPUs) > 0 {
				p.Producers = len(p.ProducerCPUs)
			}
			return err
		},
	},
}

func stringKey(field func(*Params) *string) matrixKey {
	return matrixKey{
		set: func(p *Params, v string, _ []int) error { *field(p) = v; return nil },
	}
}

// parsedKey sets a field from its text form; what parse refuses is
// refused in one line saying what is wanted.
func parsedKey[T any](name string, field func(*Params) *T, parse func(string) (T, error), want string) matrixKey {
	return matrixKey{
		set: func(p *Params, v string, _ []int) error {
			x, err := parse(v)
			if err != nil {
				return fmt.Errorf("%s %q: want %s", name, v, want)
			}
			*field(p) = x
			return nil
		},
	}
}

func intKey(name string, field func(*Params) *int) matrixKey {
	return parsedKey(name, field, strconv.Atoi, "a whole number")
}

// producersKey is intKey plus "all": one producer per CPU the consumer
// leaves free.
func producersKey() matrixKey {
	k := intKey("producers", func(p *Params) *int { return &p.Producers })
	number := k.set
	k.set = func(p *Params, v string, online []int) error {
		if v == "all" {
			// Keys are applied in name order: consumers is already set.
			p.Producers = producerCPUs(online, p.Consumers)
			return nil
		}
		return number(p, v, online)
	}
	return k
}

func durationKey(name string, field func(*Params) *float64) matrixKey {
	return parsedKey(name, field, func(v string) (float64, error) {
		d, err := time.ParseDuration(v)
		if err == nil && d < 0 {
			err = errors.New("negative")
		}
		return d.Seconds(), err
	}, "a duration such as 3s or 500ms")
}

func boolKey(name string, field func(*Params) *bool) matrixKey {
	k := parsedKey(name, field, strconv.ParseBool, "true or false")
	k.isBool = true
	return k
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
	}
}

// matrixKeyOrder is the nesting of the cross product, outermost first; it
// decides the order scenarios run and are reported in.
var matrixKeyOrder = []string{"hashmap", "transport", "mode", "wait", "backoff", "wakeup", "payload",
	"batch", "producers", "consumers", "oversubscribe", "cpus", "ring-bytes", "cpus-per-ring", "output", "delivery", "work", "pin", "b2b", "gomaxprocs",
	"hash-keys", "hash-entries", "hash-churn", "poll-timeout", "clock", "latency", "commit", "count-syscalls",
	"breakdown", "duration", "warmup", "rate"}

// MatrixKeyNames lists the keys a matrix block (and a filter) accepts, in
// nesting order.
func MatrixKeyNames() []string {
	if len(matrixKeyOrder) != len(matrixKeys) || len(matrixKeys) != len(schema.Keys) {
		panic("bench: matrixKeyOrder, matrixKeys and schema.Keys disagree")
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
	return p, "", nil
}

// schemaKey is the schema's entry for a matrix key: how it is read back
// and named.
func schemaKey(name string) schema.Key {
	k, ok := schema.KeyNamed(name)
	if !ok {
		panic("bench: matrix key " + name + " is not in schema.Keys")
	}
	return k
}
