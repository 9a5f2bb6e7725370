package modes

import (
	"runtime"
	"time"

	"ringbench/modes/ring"
)

// The spin mode polls the rings' producer positions with atomic loads and
// never sleeps in the kernel: zero syscalls in steady state, one CPU spent
// polling. Its backoff decides what an empty poll costs: nothing (none), a
// PAUSE, a trip through the Go scheduler (gosched), or a sleep.

type spinner struct {
	b Backoff
}

var spinMode = Mode{Name: "spin", New: newSpin, Polls: []string{""},
	Knobs: []Knob{{Name: "backoff", Default: "none", Doc: "when a poll finds nothing: none, pause, gosched, sleep:DURATION",
		Apply: func(s *Setup, v string) (string, error) {
			b, err := ParseBackoff(v)
			s.Backoff = b
			return b.String(), err
		}}},
	Doc: "mmap the ring and poll it in a loop on a locked thread, never sleeping (--backoff when it finds nothing)"}

func newSpin(s Setup) (Consumer, error) {
	return newMmap(s, func(source) (idler, error) { return spinner{s.Backoff}, nil })
}

func (s spinner) idle() error {
	switch s.b.Kind {
	case "pause":
		ring.Pause()
	case "gosched":
		runtime.Gosched()
	case "sleep":
		time.Sleep(s.b.Sleep)
	}
	return nil
}

func (spinner) wake()        {}
func (spinner) close() error { return nil }
