package loadgen

import (
	"github.com/HdrHistogram/hdrhistogram-go"
)

// Command is the hidden subcommand that runs a load generator process: the
// traced workload, a re-exec of the binary, talking to the scenario over its
// stdin and stdout, one JSON message a line.
//
//	scenario → load generator: {"spec":…}   what to offer and where
//	load generator → scenario: {"ready":true} (or {"error":…})
//	scenario → load generator: {"plan":…}   when to start, the window, when to stop
//	load generator → scenario: {"report":…} once it has stopped by itself
//
// The end of its stdin (the scenario closed it, or is gone) stops the load
// at once; it then reports what it did and exits.
const Command = "__loadgen"

// Spec is the load: offered rate, events per trigger, one producer per CPU.
type Spec struct {
	Rate  uint64 `json:"rate"` // events/s, all producers together; 0 = back to back
	Batch int    `json:"batch"`
	CPUs  []int  `json:"cpus"`
}

// Plan is the timetable, in CLOCK_MONOTONIC ns (one clock for every process
// on the machine): trigger 0 is due at Start, the measured window is
// [Open, Close), and the load stops by itself at Close.
type Plan struct {
	Start int64 `json:"start_ns"`
	Open  int64 `json:"open_ns"`
	Close int64 `json:"close_ns"`
}

// toLoadgen is a message from the scenario.
type toLoadgen struct {
	Spec *Spec `json:"spec,omitempty"`
	Plan *Plan `json:"plan,omitempty"`
}

// fromLoadgen is a message from the load generator.
type fromLoadgen struct {
	Ready  bool    `json:"ready,omitempty"`
	Report *report `json:"report,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// report is Result on the wire: histograms in HdrHistogram's compressed
// encoding.
type report struct {
	Triggers       uint64 `json:"triggers"`
	WindowTriggers uint64 `json:"window_triggers"`
	Lag            []byte `json:"lag_hdr"`
	Syscall        []byte `json:"syscall_hdr"`
	Interval       int64  `json:"interval_ns"`
	Error          string `json:"error,omitempty"`
}

func encodeReport(r Result, runErr error) (*report, error) {
	out := &report{Triggers: r.Triggers, WindowTriggers: r.WindowTriggers, Interval: r.Interval}
	if runErr != nil {
		out.Error = runErr.Error()
	}
	var err error
	if out.Lag, err = r.Lag.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err != nil {
		return nil, err
	}
	if out.Syscall, err = r.Syscall.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *report) decode() (Result, error) {
	out := Result{Triggers: r.Triggers, WindowTriggers: r.WindowTriggers, Interval: r.Interval}
	var err error
	if out.Lag, err = hdrhistogram.Decode(r.Lag); err != nil {
		return out, err
	}
	out.Syscall, err = hdrhistogram.Decode(r.Syscall)
	return out, err
}
