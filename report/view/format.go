package view

import (
	"fmt"
	"strings"

	"ringbench/internal/format"
	"ringbench/schema"
)

// Rates as report names them. The numbers themselves are written by
// internal/format, which charts, report.md, compare and the claims'
// evidence share so one figure reads the same everywhere; the terminal's
// live lines (Table, the progress of a run) keep Rate and Nanos, whose
// fixed decimals line up in columns.

// RateLabel names an offered rate: 100000 → "100k", 0 → "max".
func RateLabel(r uint64) string {
	if r == 0 {
		return "max"
	}
	return format.SI(float64(r))
}

// RateOf names a scenario's rate for people: its offered rate, max or
// b2b. Two close rates can share a name: key by rateKey.
func RateOf(p schema.Params) string {
	if p.B2B {
		return "b2b"
	}
	return RateLabel(p.Rate)
}

// AtRate says a scenario's rate in a sentence or title: "at 100k ev/s",
// "at max rate", "back to back".
func AtRate(p schema.Params) string {
	switch {
	case p.B2B:
		return "back to back"
	case p.Rate == 0:
		return "at max rate"
	}
	return "at " + RateLabel(p.Rate) + " ev/s"
}

// UnitFormat prints a figure of the catalog's unit u for people.
func UnitFormat(u schema.Unit) func(float64) string {
	switch u {
	case schema.UnitNs:
		return format.Duration
	case schema.UnitPerSec, schema.UnitBytes:
		return format.SI
	case schema.UnitShare:
		return func(v float64) string { return format.Sig3(100*v) + "%" }
	}
	return format.Sig3
}

// Knobs names a scenario's knobs for people, the ones that differ from
// the defaults after its payload (and its wakeup policy, with wakeup):
// "payload 64 B, adaptive wakeups, batch 500".
func Knobs(p schema.Params, wakeup bool) string {
	parts := []string{fmt.Sprintf("payload %d B", p.Payload)}
	if p.NoLatency {
		parts[0] = fmt.Sprintf("%d-byte events without timestamps", p.Payload)
	}
	switch {
	case !wakeup:
	case strings.Contains(p.Wakeup, "="):
		parts = append(parts, p.Wakeup)
	case p.Wakeup != "":
		parts = append(parts, p.Wakeup+" wakeups")
	}
	d := schema.Defaults()
	add := func(cond bool, f string, a ...any) {
		if cond {
			parts = append(parts, fmt.Sprintf(f, a...))
		}
	}
	add(p.Batch != d.Batch, "batch %d", p.Batch)
	add(p.Hashmap != "" && p.Hashmap != "none", "%s hash map", p.Hashmap)
	add(p.Producers != d.Producers, "%d producers", p.Producers)
	add(p.RingBytes != d.RingBytes, "ring %s", format.Bytes(float64(p.RingBytes)))
	add(p.Delivery != "" && p.Delivery != d.Delivery, "delivery %s", p.Delivery)
	add(p.Work != "" && p.Work != "0", "work %s", p.Work)
	add(p.Output, "bpf_ringbuf_output")
	add(p.B2B, "back to back")
	add(p.Backoff != "" && p.Backoff != "none", "backoff %s", p.Backoff)
	add(!p.Pin && p.Wait != "netpoll", "unpinned")
	return strings.Join(parts, ", ")
}
