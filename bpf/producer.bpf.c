//go:build ignore

// SPDX-License-Identifier: GPL-2.0
//
// The ringbench producer: on each getpgid(2) issued by the harness's own
// load generator it emits `batch` events of `payload` bytes into a BPF ring
// buffer or a perf event array. All knobs are read-only globals set at load
// time, so the verifier sees them as constants: sizes are exact and the
// branches of transports and policies not in use are pruned.
//
// Modelled on the kernel's selftests/bpf/progs/{ringbuf,perfbuf}_bench.c.

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

#define TRANSPORT_RINGBUF 0
#define TRANSPORT_PERFBUF 1
#define TRANSPORT_SHARDED 2 // an array of ring buffers, one per group of CPUs

#define WAKEUP_ADAPTIVE 0
#define WAKEUP_SAMPLED 1
#define WAKEUP_FORCED 2
#define WAKEUP_NONE 3

// What every event starts with; the Go side mirrors it (bpf.EventHeader).
struct event {
	__u64 seq;	// per-CPU sequence number, one per attempt: a dropped
			// event leaves a gap that the dropped counter explains
	__u64 ts_ns;	// bpf_ktime_get_ns() taken right before submit/output
	__u32 cpu;	// producer CPU
	__u32 len;	// payload length in bytes, header included
};

// Keeps the type in BTF so bpf2go can generate its Go twin.
const struct event *unused_event __attribute__((unused));

// Per-CPU counters, one cache line each, read by the Go side after the run.
// The per-event work stays free of atomics: triggers and attempts are added
// once per trigger (attempts by batch, which also hands out the trigger's
// sequence numbers), and only a failure is counted per event. One atomic add
// per trigger is cheap insurance: the kernel does not run this program twice
// at once on a CPU for the attach types used here (a re-entry is skipped and
// counted as a missed run, which the harness's triggers_match check shows).
struct counters {
	__u64 triggers;	 // program runs that passed the filter
	__u64 attempts;	 // events the program tried to emit (= emitted)
	__u64 dropped;	 // failed reserve / output
	__u64 hash_head; // flow-table churn: inserts so far on this CPU
	__u64 hash_fail; // flow-table inserts the kernel refused (map full)
	__u64 hash_miss; // updates that found no flow (deleted meanwhile)
	__u64 pad[2];
};

// One flow's state in the per-flow table the producer keeps when asked:
// what a tracer that aggregates per connection or per PID would hold.
struct flow {
	__u64 packets;
	__u64 bytes;
	__u64 last_ns;
};

// Keeps the type in BTF so bpf2go can generate its Go twin.
const struct flow *unused_flow __attribute__((unused));

// Load-time configuration (.rodata). Zero values are never valid for tgid,
// payload or batch, so a forgotten setting loads nothing useful and the Go
// loader refuses to start without them.
const volatile __u32 target_tgid = 0;
const volatile __u32 trigger_nr = 0;
const volatile __u32 transport = TRANSPORT_RINGBUF;
const volatile __u32 use_output = 0;
const volatile __u32 wakeup = WAKEUP_ADAPTIVE;
const volatile __u32 sample_every = 1;
const volatile __u32 batch = 1;
const volatile __u32 payload = sizeof(struct event);
// 0: the kernel benchmark's workload, 8-byte events that hold the CPU and the
// sequence (cpu << COMPACT_CPU_SHIFT | seq) and no timestamp.
const volatile __u32 timestamps = 1;
// ringbuf-sharded: the producing CPU's ring is rbn_shards[cpu / shard_cpus].
const volatile __u32 shard_cpus = 1;

#define COMPACT_CPU_SHIFT 48
// Flow-table churn per event: hash_ins : hash_upd : hash_del over
// hash_keys keys; hash_ins + hash_upd + hash_del == 0 means no table.
const volatile __u32 hash_ins = 0;
const volatile __u32 hash_upd = 0;
const volatile __u32 hash_del = 0;
const volatile __u32 hash_keys = 2;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); // set by the loader
} rbn_ringbuf SEC(".maps");

// ringbuf-sharded's rings, one per group of shard_cpus CPUs; the loader
// sizes both the array and the rings and fills the slots.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_RINGBUF);
		__uint(max_entries, 4096);
	});
} rbn_shards SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} rbn_perfbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counters);
} rbn_counters SEC(".maps");

// The per-flow table. Its type (hash or LRU hash), flags (0 or
// BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU) and size are set by the loader:
// the prealloc dimension lives here, since the kernel rejects
// BPF_F_NO_PREALLOC on ring buffers and perf event arrays.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flow);
} rbn_flows SEC(".maps");

// The payload source: zeroes, sized to `payload` by the loader. Events are
// built here for output-style helpers and padding is copied from here for
// reserve, so every transport copies the same number of bytes.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct event)); // set by the loader
} rbn_scratch SEC(".maps");

struct emit_ctx {
	void *prog_ctx;
	struct counters *cnt;
	__u8 *scratch;
	__u64 seq0; // the trigger's first sequence number
	__u32 cpu;
};

static __always_inline __u64 ringbuf_flags(__u64 seq)
{
	switch (wakeup) {
	case WAKEUP_FORCED:
		return BPF_RB_FORCE_WAKEUP;
	case WAKEUP_NONE:
		return BPF_RB_NO_WAKEUP;
	case WAKEUP_SAMPLED:
		return (seq % sample_every) == sample_every - 1 ?
			       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	default:
		return 0; // adaptive: the kernel wakes only a caught-up consumer
	}
}

// churn updates the flow table once per event. A window of hash_keys/2
// live flows slides through hash_keys keys: an insert adds the key at the
// head, a delete removes the one inserted hash_keys/2 inserts ago, an update
// touches a live flow in place.
static __always_inline void churn(struct counters *cnt, __u64 seq)
{
	__u32 period = hash_ins + hash_upd + hash_del;
	__u32 half = hash_keys / 2, op, key;
	__u64 head = cnt->hash_head;
	struct flow *f, fresh = {};

	if (!period)
		return;
	op = seq % period;
	if (op < hash_ins) {
		key = head % hash_keys;
		fresh.packets = 1;
		fresh.bytes = payload;
		fresh.last_ns = bpf_ktime_get_ns();
		if (bpf_map_update_elem(&rbn_flows, &key, &fresh, BPF_ANY))
			__sync_fetch_and_add(&cnt->hash_fail, 1);
		cnt->hash_head = head + 1;
	} else if (op < hash_ins + hash_upd) {
		key = (head + hash_keys - 1 - (seq * 2654435761u) % half) % hash_keys;
		f = bpf_map_lookup_elem(&rbn_flows, &key);
		if (!f) {
			__sync_fetch_and_add(&cnt->hash_miss, 1);
			return;
		}
		__sync_fetch_and_add(&f->packets, 1);
		__sync_fetch_and_add(&f->bytes, payload);
		f->last_ns = bpf_ktime_get_ns();
	} else {
		key = (head + half) % hash_keys;
		bpf_map_delete_elem(&rbn_flows, &key);
	}
}

// fill writes an event's fields, the timestamp last: on every path it is
// taken immediately before the submit or output that publishes the event.
static __always_inline void fill(void *dst, struct emit_ctx *ec, __u64 seq)
{
	struct event *e = dst;

	if (!timestamps) {
		*(__u64 *)dst = (__u64)ec->cpu << COMPACT_CPU_SHIFT | seq;
		return;
	}
	e->seq = seq;
	e->cpu = ec->cpu;
	e->len = payload;
	e->ts_ns = bpf_ktime_get_ns();
}

// emit_ringbuf writes one event to ring buffer rb, by reserve and submit
// or by output. Inlined at each call, so that the verifier sees one map
// per call site: the ring buffer, or the producing CPU's shard.
static __always_inline long emit_ringbuf(void *rb, struct emit_ctx *ec, __u64 seq)
{
	void *e;

	if (use_output) {
		fill(ec->scratch, ec, seq);
		if (bpf_ringbuf_output(rb, ec->scratch, payload, ringbuf_flags(seq)))
			__sync_fetch_and_add(&ec->cnt->dropped, 1);
		return 0;
	}
	e = bpf_ringbuf_reserve(rb, payload, 0);
	if (!e) {
		__sync_fetch_and_add(&ec->cnt->dropped, 1);
		return 0;
	}
	// The payload beyond the header comes from the scratch, as the output
	// helpers copy all of it from there: every path moves `payload` bytes
	// per event.
	if (timestamps && payload > sizeof(struct event))
		bpf_probe_read_kernel((__u8 *)e + sizeof(struct event),
				      payload - sizeof(struct event),
				      ec->scratch + sizeof(struct event));
	fill(e, ec, seq);
	bpf_ringbuf_submit(e, ringbuf_flags(seq));
	return 0;
}

static long emit_one(__u32 i, void *data)
{
	struct emit_ctx *ec = data;
	__u64 seq = ec->seq0 + i;
	__u32 shard;
	void *rb;

	churn(ec->cnt, seq);

	switch (transport) {
	case TRANSPORT_RINGBUF:
		return emit_ringbuf(&rbn_ringbuf, ec, seq);
	case TRANSPORT_SHARDED:
		// The producing CPU's ring; a CPU without one drops.
		shard = ec->cpu / shard_cpus;
		rb = bpf_map_lookup_elem(&rbn_shards, &shard);
		if (!rb) {
			__sync_fetch_and_add(&ec->cnt->dropped, 1);
			return 0;
		}
		return emit_ringbuf(rb, ec, seq);
	}
	fill(ec->scratch, ec, seq);
	if (bpf_perf_event_output(ec->prog_ctx, &rbn_perfbuf, BPF_F_CURRENT_CPU,
				  ec->scratch, payload))
		__sync_fetch_and_add(&ec->cnt->dropped, 1);
	return 0;
}

static __always_inline int produce(void *ctx)
{
	__u32 zero = 0;
	struct emit_ctx ec = { .prog_ctx = ctx };

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	ec.cnt = bpf_map_lookup_elem(&rbn_counters, &zero);
	ec.scratch = bpf_map_lookup_elem(&rbn_scratch, &zero);
	if (!ec.cnt || !ec.scratch)
		return 0;
	ec.cpu = bpf_get_smp_processor_id();
	__sync_fetch_and_add(&ec.cnt->triggers, 1);
	ec.seq0 = __sync_fetch_and_add(&ec.cnt->attempts, batch);
	bpf_loop(batch, emit_one, &ec, 0);
	return 0;
}

// Attach points, in the loader's order of preference. fentry sees only the
// syscall's own function; the tracepoint forms see every syscall on the
// machine and filter on the number, which is part of what the producer-side
// cost shows.

SEC("fentry/__x64_sys_getpgid") // the loader sets the arch's symbol
int rbn_fentry(void *ctx)
{
	return produce(ctx);
}

SEC("tp_btf/sys_enter")
int rbn_tp_btf(__u64 *ctx)
{
	// sys_enter(struct pt_regs *regs, long id)
	if (ctx[1] != trigger_nr)
		return 0;
	return produce(ctx);
}

SEC("raw_tp/sys_enter")
int rbn_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] != trigger_nr)
		return 0;
	return produce(ctx);
}
