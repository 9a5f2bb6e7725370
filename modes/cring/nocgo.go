//go:build !cgo

package cring

import (
	"context"
	"errors"

	"ringbench/internal/window"
)

// Unavailable is why the C modes cannot run in this binary; "" when they
// can.
const Unavailable = "built without cgo (CGO_ENABLED=0)"

var errUnavailable = errors.New(Unavailable)

type Recorder struct{}

func NewRecorder(cpus, counts int, perEvent, noTimestamps bool) (*Recorder, error) {
	return nil, errUnavailable
}
func (r *Recorder) Free()                                               {}
func (r *Recorder) Result() Result                                      { return Result{} }
func (r *Recorder) Record(w *window.Window, raw []byte, beginPass bool) {}
func (r *Recorder) TimeRecord(w *window.Window, size, n int, d int64) float64 {
	return 0
}

func RunMmap(ctx context.Context, m Mmap, r *Recorder, w *window.Window) error { return errUnavailable }

type Libbpf struct{}

func OpenLibbpf(l Lib) (*Libbpf, error) { return nil, errUnavailable }
func (lb *Libbpf) Run(ctx context.Context, r *Recorder, w *window.Window, b2b bool, triggerNr int) error {
	return errUnavailable
}
func (lb *Libbpf) Close() error { return nil }

func CountValues(counts []int64, values []int64) {}

func Drain(perf bool, data []byte, size int, pos, head uint64, r *Recorder, w *window.Window) (uint64, error) {
	return 0, errUnavailable
}
