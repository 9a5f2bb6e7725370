package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Filter selects scenarios by key: every key given must match one of its
// values ("mode=spin,mode=epoll,transport=ringbuf" is spin or epoll, on
// ringbuf). Keys are the matrix keys.
type Filter map[string][]string

// ParseFilter reads KEY=VALUE[,KEY=VALUE…]; "" selects everything.
func ParseFilter(s string) (Filter, error) {
	f := Filter{}
	if strings.TrimSpace(s) == "" {
		return f, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("filter %q: want KEY=VALUE[,KEY=VALUE…], e.g. mode=spin,transport=ringbuf", part)
		}
		if _, known := matrixKeys[k]; !known {
			return nil, fmt.Errorf("filter: unknown key %q (want one of %s)", k, strings.Join(MatrixKeyNames(), ", "))
		}
		f[k] = append(f[k], v)
	}
	return f, nil
}

// Match reports whether p is selected. A wakeup matches by its full form
// or its kind alone (wakeup=sampled matches sampled:64).
func (f Filter) Match(p Params) bool {
	for k, want := range f {
		got := paramValue(p, k)
		if !slices.ContainsFunc(want, func(w string) bool {
			return w == got || (k == "wakeup" && strings.SplitN(strings.SplitN(got, ":", 2)[0], "=", 2)[0] == w)
		}) {
			return false
		}
	}
	return true
}

func (f Filter) String() string {
	var parts []string
	for _, k := range MatrixKeyNames() {
		for _, v := range f[k] {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ",")
}

// paramValue is a resolved scenario's value for a matrix key, as a filter
// compares it.
func paramValue(p Params, key string) string {
	switch key {
	case "transport":
		return p.Transport
	case "mode":
		return p.Mode
	case "wakeup":
		return p.Wakeup
	case "hashmap":
		return p.Hashmap
	case "hash-churn":
		return p.HashChurn
	case "delivery":
		return p.Delivery
	case "work":
		return p.Work
	case "backoff":
		return p.Backoff
	case "wait":
		return p.Wait
	case "poll-timeout":
		return p.PollTimeout
	case "rate":
		if p.Rate == 0 {
			return "max"
		}
		return strconv.FormatUint(p.Rate, 10)
	case "batch":
		return strconv.Itoa(p.Batch)
	case "payload":
		return strconv.Itoa(p.Payload)
	case "ring-bytes":
		return strconv.Itoa(p.RingBytes)
	case "gomaxprocs":
		return strconv.Itoa(p.GOMAXPROCS)
	case "hash-keys":
		return strconv.Itoa(p.HashKeys)
	case "hash-entries":
		return strconv.Itoa(p.HashEntries)
	case "pin":
		return strconv.FormatBool(p.Pin)
	case "b2b":
		return strconv.FormatBool(p.B2B)
	case "output":
		return strconv.FormatBool(p.Output)
	case "producers":
		return strconv.Itoa(p.Producers)
	case "duration":
		return time.Duration(p.DurationS * float64(time.Second)).String()
	case "warmup":
		return time.Duration(p.WarmupS * float64(time.Second)).String()
	case "cpus":
		cpus := make([]string, len(p.ProducerCPUs))
		for i, c := range p.ProducerCPUs {
			cpus[i] = strconv.Itoa(c)
		}
		return strings.Join(cpus, ",") + ":" + strconv.Itoa(p.ConsumerCPU)
	}
	return ""
}
