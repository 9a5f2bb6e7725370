// Package charts draws report.md's charts with gonum/plot, as PNG and SVG:
// latency, saturation, CPU, syscalls and scheduling, GC and allocations,
// wakeup policies, flow tables, and where the latency goes.
package charts
