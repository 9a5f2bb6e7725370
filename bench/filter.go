package bench

import (
	"fmt"
	"slices"
	"strings"

	"ringbench/bpf"
	"ringbench/modes"
	"ringbench/schema"
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

// Match reports whether p is selected. A wakeup matches by its full form,
// its kind alone (wakeup=sampled matches sampled:64), or the natural
// policy it resolved from (wakeup=natural matches none for spin and
// adaptive for epoll on ringbuf).
func (f Filter) Match(p Params) bool {
	for k, want := range f {
		got := schemaKey(k).Get(p)
		if !slices.ContainsFunc(want, func(w string) bool {
			return w == got || (k == "wakeup" && (wakeupKind(p) == w || resolvesFrom(p, w)))
		}) {
			return false
		}
	}
	return true
}

// resolvesFrom says whether p's wakeup is what natural (or
// natural-sampled) resolves to for its mode and transport.
func resolvesFrom(p Params, natural string) bool {
	if natural != schema.WakeupNatural && natural != schema.WakeupNaturalSampled {
		return false
	}
	m, err := modes.Lookup(p.Mode)
	if err != nil {
		return false
	}
	q := p
	q.Wakeup = natural
	return naturalWakeup(q, m) == p.Wakeup
}

// wakeupKind is the kind of p's wakeup policy ("sampled" of sampled:64),
// "" if it does not parse.
func wakeupKind(p Params) string {
	w, err := bpf.ParseWakeup(bpf.Transport(p.Transport), p.Wakeup)
	if err != nil {
		return ""
	}
	return string(w.Kind)
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
