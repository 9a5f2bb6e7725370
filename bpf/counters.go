package bpf

import "fmt"

// CPUCounters are one CPU's producer counters.
type CPUCounters struct {
	Triggers uint64 // program runs that passed the filter
	Emitted  uint64 // events the program tried to emit
	Dropped  uint64 // failed reserve / output
	// Flow-table churn: inserts, inserts refused (map full), updates that
	// found no flow.
	HashInserts, HashFail, HashMiss uint64
}

// Counters are the producer's counters per CPU, indexed by CPU number.
type Counters []CPUCounters

// Total sums all CPUs.
func (c Counters) Total() CPUCounters {
	var t CPUCounters
	for _, x := range c {
		t.Triggers += x.Triggers
		t.Emitted += x.Emitted
		t.Dropped += x.Dropped
		t.HashInserts += x.HashInserts
		t.HashFail += x.HashFail
		t.HashMiss += x.HashMiss
	}
	return t
}

// Sub returns c − base per CPU, for the counters of a window.
func (c Counters) Sub(base Counters) Counters {
	out := make(Counters, len(c))
	for i := range c {
		out[i] = c[i]
		if i < len(base) {
			out[i].Triggers -= base[i].Triggers
			out[i].Emitted -= base[i].Emitted
			out[i].Dropped -= base[i].Dropped
			out[i].HashInserts -= base[i].HashInserts
			out[i].HashFail -= base[i].HashFail
			out[i].HashMiss -= base[i].HashMiss
		}
	}
	return out
}

// Counters reads the per-CPU counters. It is a map lookup (a syscall): call it
// at window edges, not per event.
func (p *Producer) Counters() (Counters, error) {
	var per []producerCounters
	if err := p.counters.Lookup(uint32(0), &per); err != nil {
		return nil, fmt.Errorf("read producer counters: %w", err)
	}
	out := make(Counters, len(per))
	for i, c := range per {
		out[i] = CPUCounters{Triggers: c.Triggers, Emitted: c.Attempts, Dropped: c.Dropped,
			HashInserts: c.HashHead, HashFail: c.HashFail, HashMiss: c.HashMiss}
	}
	return out, nil
}
