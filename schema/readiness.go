package schema

// The perf-box checks of ringbench env (package readiness), as run.json
// records them under env.readiness.

// Status is a check's verdict.
type Status string

const (
	ReadinessOK      Status = "ok"
	ReadinessWarn    Status = "warn"
	ReadinessUnknown Status = "unknown" // the machine does not expose the fact; Found says why
)

// Finding is one check's result. Found says what was found or, for
// Unknown, why it cannot tell; Fix is the shell command(s) that clear a
// warning (for boot parameters, the kernel command line to boot with),
// empty when there is nothing to run.
type Finding struct {
	Check  string `json:"check"`
	Status Status `json:"status"`
	Found  string `json:"found"`
	Fix    string `json:"fix,omitempty"`
}
