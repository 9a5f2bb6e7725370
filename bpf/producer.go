package bpf

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// AttachMethod is how the producer program is hooked to the trigger syscall.
type AttachMethod string

const (
	Fentry AttachMethod = "fentry" // fentry on the syscall's kernel function
	TpBTF  AttachMethod = "tp_btf" // BTF raw tracepoint sys_enter
	RawTp  AttachMethod = "raw_tp" // classic raw tracepoint sys_enter
)

// AttachOrder is the fallback chain of DESIGN.md, best first.
var AttachOrder = []AttachMethod{Fentry, TpBTF, RawTp}

// TriggerSyscall is the syscall the load generator issues and the producer
// filters on, as the kernel's own ringbuf benchmark does.
const TriggerSyscall = unix.SYS_GETPGID

// Trigger issues the trigger syscall once: the producer program runs inside
// it for a process it watches.
func Trigger() { unix.RawSyscall(TriggerSyscall, 0, 0, 0) }

// Options configure one producer.
type Options struct {
	Transport Transport
	UseOutput bool // ringbuf: bpf_ringbuf_output instead of reserve+submit
	Wakeup    Wakeup
	Batch     int // events per trigger
	Payload   int // bytes per event, header included
	RingBytes int // ringbuf data size, each shard's (perfbuf rings belong to the consumer)
	// ShardCPUs is ringbuf-sharded's group size: CPU c writes to ring
	// c / ShardCPUs. Shards is how many rings there are (ShardCount).
	ShardCPUs, Shards int
	Tgid              int // only this process's triggers produce; 0 means our own
	// Attach is the chain to try, in order; nil means AttachOrder.
	Attach []AttachMethod
	// Hash is the flow table updated per event; the zero value is none.
	Hash Hash
	// NoTimestamps emits the kernel benchmark's 8-byte events (CPU and
	// sequence, ParseCompactEvent) instead of a header with a timestamp;
	// Payload must then be CompactEventSize.
	NoTimestamps bool
}

// Producer is a loaded and attached producer.
type Producer struct {
	Attach AttachMethod
	// Refused lists the attach methods tried before Attach and why each
	// failed, for the result's environment.
	Refused map[AttachMethod]string

	maps     producerMaps
	link     link.Link
	prog     *ebpf.Program
	ring     *ebpf.Map
	shards   []*ebpf.Map // ringbuf-sharded's rings, also held by rbn_shards
	counters *ebpf.Map
}

// ShardCount is how many rings ringbuf-sharded needs for CPUs 0..cpus-1
// in groups of shardCPUs: one for every group, the last maybe partial.
func ShardCount(cpus, shardCPUs int) int { return (cpus + shardCPUs - 1) / shardCPUs }

// loadObjects loads the maps and the one program of the chosen attach
// method.
func loadObjects(spec *ebpf.CollectionSpec, m AttachMethod) (producerMaps, *ebpf.Program, error) {
	name, ok := map[AttachMethod]string{Fentry: "rbn_fentry", TpBTF: "rbn_tp_btf", RawTp: "rbn_raw_tp"}[m]
	if !ok {
		return producerMaps{}, nil, fmt.Errorf("unknown attach method %q", m)
	}
	return loadOne[producerMaps](spec, name)
}

// syscallSymbol is the kernel function fentry attaches to on this
// architecture (the syscall wrappers carry an arch prefix).
func syscallSymbol() string {
	if runtime.GOARCH == "arm64" {
		return "__arm64_sys_getpgid"
	}
	return "__x64_sys_getpgid"
}

// Load loads the producer and attaches it with the first method of the chain
// the kernel accepts. The error of the last method is returned, wrapped, when
// none works.
func Load(opts Options) (*Producer, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	chain := opts.Attach
	if chain == nil {
		chain = AttachOrder
	}
	refused := map[AttachMethod]string{}
	var lastErr error
	for _, m := range chain {
		p, err := load(opts, m)
		if err == nil {
			p.Refused = refused
			return p, nil
		}
		refused[m] = err.Error()
		lastErr = fmt.Errorf("attach %s: %w", m, err)
	}
	return nil, lastErr
}

// Check validates the options without loading anything.
func (o Options) Check() error {
	switch {
	case !slices.Contains(Transports, o.Transport):
		return fmt.Errorf("unknown transport %q", o.Transport)
	case o.Transport == Sharded && (o.ShardCPUs < 1 || o.Shards < 1):
		return fmt.Errorf("ringbuf-sharded: %d shards of %d CPUs: want at least one of one", o.Shards, o.ShardCPUs)
	case o.Batch < 1:
		return fmt.Errorf("batch %d: must be at least 1", o.Batch)
	case o.NoTimestamps && o.Payload != CompactEventSize:
		return fmt.Errorf("payload %d: events without timestamps are %d bytes", o.Payload, CompactEventSize)
	case !o.NoTimestamps && (o.Payload < EventHeaderSize || o.Payload > MaxPayload):
		return fmt.Errorf("payload %d: must be %d..%d bytes", o.Payload, EventHeaderSize, MaxPayload)
	case o.Transport.IsRingbuf() && (o.RingBytes < os.Getpagesize() || o.RingBytes&(o.RingBytes-1) != 0):
		return fmt.Errorf("ring size %d: must be a power of two of at least a page", o.RingBytes)
	case o.Transport == Perfbuf && o.UseOutput:
		return errors.New("output applies to ringbuf only")
	}
	if o.Hash.Kind == "" {
		return nil
	}
	return o.Hash.check()
}

func load(opts Options, method AttachMethod) (_ *Producer, err error) {
	spec, err := loadProducer()
	if err != nil {
		return nil, err
	}
	if method == Fentry {
		spec.Programs[producerProgRbnFentry].AttachTo = syscallSymbol()
	}

	tgid := opts.Tgid
	if tgid == 0 {
		tgid = os.Getpid()
	}
	transport := map[Transport]uint32{Ringbuf: 0, Perfbuf: 1, Sharded: 2}[opts.Transport]
	useOutput := uint32(0)
	if opts.UseOutput {
		useOutput = 1
	}
	timestamps := uint32(1)
	if opts.NoTimestamps {
		timestamps = 0
	}
	sampleEvery := uint32(1)
	if opts.Wakeup.Kind == Sampled {
		sampleEvery = uint32(opts.Wakeup.N)
	}
	consts := map[string]uint32{
		producerVarTargetTgid:  uint32(tgid),
		producerVarTriggerNr:   uint32(TriggerSyscall),
		producerVarTransport:   transport,
		producerVarUseOutput:   useOutput,
		producerVarWakeup:      wakeupCodes[opts.Wakeup.Kind],
		producerVarSampleEvery: sampleEvery,
		producerVarBatch:       uint32(opts.Batch),
		producerVarPayload:     uint32(opts.Payload),
		producerVarTimestamps:  timestamps,
		producerVarShardCpus:   uint32(max(opts.ShardCPUs, 1)),
	}
	opts.Hash.apply(spec, consts)
	for name, v := range consts {
		if err := spec.Variables[name].Set(v); err != nil {
			return nil, fmt.Errorf("set %s: %w", name, err)
		}
	}
	spec.Maps[producerMapRbnScratch].ValueSize = uint32(opts.Payload)
	// The unused transport's map still exists; keep it as small as the
	// kernel allows.
	if opts.Transport == Ringbuf {
		spec.Maps[producerMapRbnRingbuf].MaxEntries = uint32(opts.RingBytes)
	} else {
		spec.Maps[producerMapRbnRingbuf].MaxEntries = uint32(os.Getpagesize())
	}
	shardSpec := spec.Maps[producerMapRbnShards]
	shardSpec.MaxEntries = uint32(max(opts.Shards, 1))
	shardSpec.InnerMap.MaxEntries = uint32(max(opts.RingBytes, os.Getpagesize()))

	maps, prog, err := loadObjects(spec, method)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			maps.Close()
			prog.Close()
		}
	}()
	l, err := attach(method, prog)
	if err != nil {
		return nil, err
	}

	p := &Producer{
		Attach:   method,
		maps:     maps,
		link:     l,
		prog:     prog,
		counters: maps.RbnCounters,
		ring:     maps.RbnRingbuf,
	}
	switch opts.Transport {
	case Perfbuf:
		p.ring = maps.RbnPerfbuf
	case Sharded:
		// The rings go into the array before the program's first run can
		// see a slot empty (a trigger on a CPU without its ring drops).
		if p.shards, err = fillShards(maps.RbnShards, shardSpec.InnerMap, opts.Shards); err != nil {
			l.Close() // the maps and the program go in the deferred cleanup
			return nil, err
		}
		p.ring = nil
	}
	return p, nil
}

// fillShards makes n rings of spec and puts each in array's slot.
func fillShards(array *ebpf.Map, spec *ebpf.MapSpec, n int) ([]*ebpf.Map, error) {
	var rings []*ebpf.Map
	for i := range n {
		m, err := ebpf.NewMap(spec)
		if err == nil {
			rings = append(rings, m)
			err = array.Put(uint32(i), m)
		}
		if err != nil {
			for _, r := range rings {
				r.Close()
			}
			return nil, fmt.Errorf("ringbuf-sharded ring %d: %w", i, err)
		}
	}
	return rings, nil
}

// Shards are ringbuf-sharded's rings, shard i for CPUs i·ShardCPUs … .
func (p *Producer) Shards() []*ebpf.Map { return p.shards }

// attach hooks a loaded program by method: fentry and tp_btf programs carry
// their target, raw_tp is attached to sys_enter by name.
func attach(method AttachMethod, prog *ebpf.Program) (link.Link, error) {
	switch method {
	case Fentry, TpBTF:
		return link.AttachTracing(link.TracingOptions{Program: prog})
	case RawTp:
		return link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_enter", Program: prog})
	}
	return nil, fmt.Errorf("unknown attach method %q", method)
}

// describeLoadError keeps the verifier's last lines, which say why, instead of
// the whole log.
func describeLoadError(err error) error {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		return fmt.Errorf("load: %v", fmt.Sprintf("%.300v", ve))
	}
	return fmt.Errorf("load: %w", err)
}

// Ring is the map events are written to: the ring buffer, or the perf event
// array whose slots the consumer fills with its per-CPU perf events.
func (p *Producer) Ring() *ebpf.Map { return p.ring }

// Maps are the producer's maps by name, for memory accounting.
func (p *Producer) Maps() map[string]*ebpf.Map {
	m := map[string]*ebpf.Map{
		producerMapRbnRingbuf: p.maps.RbnRingbuf, producerMapRbnPerfbuf: p.maps.RbnPerfbuf,
		producerMapRbnCounters: p.maps.RbnCounters, producerMapRbnScratch: p.maps.RbnScratch,
		producerMapRbnFlows: p.maps.RbnFlows, producerMapRbnShards: p.maps.RbnShards,
	}
	for i, r := range p.shards {
		m[fmt.Sprintf("%s.%d", producerMapRbnShards, i)] = r
	}
	return m
}

// Program is the attached producer program, for run-time statistics.
func (p *Producer) Program() *ebpf.Program { return p.prog }

// Close detaches and unloads everything Load created. It is safe to call
// more than once.
func (p *Producer) Close() error {
	var errs []error
	if p.link != nil {
		errs = append(errs, p.link.Close())
		p.link = nil
	}
	if p.prog != nil {
		errs = append(errs, p.prog.Close(), p.maps.Close())
		p.prog = nil
	}
	for _, r := range p.shards {
		errs = append(errs, r.Close())
	}
	p.shards = nil
	return errors.Join(errs...)
}
