// Package machine says what this machine is and can do: the environment a
// result is recorded with (kernel, CPUs, hypervisor, BPF JIT, readiness,
// the read modes this ringbench knows), the capability probes of ringbench
// env, and each CPU's noise floor.
package machine
