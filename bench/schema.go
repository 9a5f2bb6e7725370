package bench

import "ringbench/schema"

// The engine writes run.json, whose types live in package schema; it names
// them without the prefix. Other packages use schema directly.
type (
	Result          = schema.Result
	MatrixInfo      = schema.MatrixInfo
	Scenario        = schema.Scenario
	Run             = schema.Run
	Events          = schema.Events
	Throughput      = schema.Throughput
	ProducerMetrics = schema.ProducerMetrics
	GoMetrics       = schema.GoMetrics
	OSMetrics       = schema.OSMetrics
	PerfCounters    = schema.PerfCounters
	ConsumerFacts   = schema.ConsumerFacts
	Latency         = schema.Latency
	Memory          = schema.Memory
	Interference    = schema.Interference
	Breakdown       = schema.Breakdown
	BreakdownPhase  = schema.BreakdownPhase
	CPUAccount      = schema.CPUAccount
	Check           = schema.Check
	Env             = schema.Env
	NoiseCPU        = schema.NoiseCPU
	Params          = schema.Params
	Syscalls        = schema.Syscalls
	SyscallCount    = schema.SyscallCount
)
