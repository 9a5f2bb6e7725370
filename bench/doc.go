// Package bench turns a scenario into a result: it validates the scenario,
// runs it (load and attach the producer, start the consumer, warm up,
// measure, stop the load, drain, read the kernel's counters, close), checks
// that every event is accounted for, and writes the versioned result schema
// with the environment it ran in.
package bench
