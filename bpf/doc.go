// Package bpf holds ringbench's BPF producer and its loader.
//
// producer.bpf.c runs on the harness's own getpgid(2) calls and emits events
// into a BPF ring buffer or a perf event array; the generated producer_bpfel.*
// files are bpf2go's output, committed so that building needs no clang. The
// Go side takes Options, loads and attaches the program through the first
// attach method the kernel accepts (fentry, then tp_btf, then raw_tp), and
// exposes the ring map and the per-CPU counters. Producer.Close releases all
// of it; Load releases what it opened when it fails half-way.
package bpf
