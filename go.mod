module ringbench

go 1.25.0

require (
	github.com/HdrHistogram/hdrhistogram-go v1.4.0
	github.com/cilium/ebpf v0.22.0
	golang.org/x/sys v0.47.0
)

tool github.com/cilium/ebpf/cmd/bpf2go
