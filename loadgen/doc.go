// Package loadgen is ringbench's open-loop trigger generator.
//
// Each producer goroutine is locked to an OS thread pinned to its CPU and
// issues the trigger syscall on an absolute schedule: the i-th trigger of the
// run is due at start + i·batch/rate, and producers take every P-th slot. A
// producer that falls behind fires overdue triggers at once and the delay is
// recorded as schedule lag; it never "sleeps after each send", which would
// let a slow system quietly lower the offered load (coordinated omission).
// Rate 0 means back to back. Lag and the trigger syscall's own duration —
// what the traced application pays — go into HDR histograms for the triggers
// issued inside the measured window.
package loadgen
