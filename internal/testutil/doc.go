// Package testutil holds helpers shared by ringbench's privileged tests:
// gating on BPF availability with a reason, and checking that nothing the
// harness loaded outlives it.
package testutil
