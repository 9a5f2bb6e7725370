// Package bench turns a scenario into a result: it resolves the scenario
// once into a typed Spec (params.go, with the matrix files, presets and
// filters that produce scenarios), runs each repetition in a child process
// (load the producer, start the consumer, warm up, measure, stop the load,
// drain, close), samples its collectors at the window's edges (Go runtime,
// OS, perf counters, syscalls, BPF statistics, memory, interference, the
// latency breakdown), and checks that every event is accounted for. The
// result's types are package schema's.
package bench
