//go:build ignore

// SPDX-License-Identifier: GPL-2.0
//
// Where a sleeping consumer's latency goes: for every wait syscall of the
// watched process that slept, the last time its thread was woken, the last
// time it came on a CPU after that, and when the syscall returned to user
// space — one record per wait, into a ring read after the run. ringbench
// matches them with the emission and read times of the records the
// consumer read (bench/breakdown.go). Attached only with --breakdown.

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

const volatile __u32 watch_tgid = 0;
// The wait syscalls' numbers on this architecture; -1 where one does not
// exist (epoll_wait on arm64).
const volatile __s64 wait_nr[3] = { -1, -1, -1 };

struct wait_state {
	__u64 wake_ns;  // last sched_wakeup of the thread while it waited
	__u64 oncpu_ns; // last time it came on a CPU after that
	__u32 waiting;  // inside a wait syscall
	__u32 pad;
};

struct wait_record {
	__u32 tid;
	__u32 pad;
	__u64 wake_ns;
	__u64 oncpu_ns;
	__u64 exit_ns;
};

// Keeps the record type in BTF for bpf2go.
const struct wait_record *unused_wait_record __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct wait_state);
} rbn_wait_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} rbn_wait_log SEC(".maps");

// rbn_wait_counts: [0] waits that slept, [1] records the log had no room
// for, [2] waits that returned without sleeping.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} rbn_wait_counts SEC(".maps");

static __always_inline void bump(__u32 i)
{
	__u64 *n = bpf_map_lookup_elem(&rbn_wait_counts, &i);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("tp_btf/sys_enter")
int rbn_bd_sys_enter(__u64 *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__s64 nr = (__s64)ctx[1];
	__u32 tid = (__u32)id;
	struct wait_state s = { .waiting = 1 };

	if ((id >> 32) != watch_tgid || (nr != wait_nr[0] && nr != wait_nr[1] && nr != wait_nr[2]))
		return 0;
	bpf_map_update_elem(&rbn_wait_states, &tid, &s, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int rbn_bd_wakeup(__u64 *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx[0];
	__u32 tid;
	struct wait_state *s;

	if ((__u32)p->tgid != watch_tgid)
		return 0;
	tid = p->pid;
	s = bpf_map_lookup_elem(&rbn_wait_states, &tid);
	if (s && s->waiting)
		s->wake_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_switch")
int rbn_bd_switch(__u64 *ctx)
{
	struct task_struct *next = (struct task_struct *)ctx[2];
	__u32 tid;
	struct wait_state *s;

	if ((__u32)next->tgid != watch_tgid)
		return 0;
	tid = next->pid;
	s = bpf_map_lookup_elem(&rbn_wait_states, &tid);
	if (s && s->waiting && s->wake_ns)
		s->oncpu_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int rbn_bd_sys_exit(__u64 *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct wait_state *s;
	struct wait_record *r;

	if ((id >> 32) != watch_tgid)
		return 0;
	s = bpf_map_lookup_elem(&rbn_wait_states, &tid);
	if (!s || !s->waiting)
		return 0;
	s->waiting = 0;
	if (!s->wake_ns || s->oncpu_ns < s->wake_ns) {
		bump(2);
		return 0;
	}
	bump(0);
	r = bpf_ringbuf_reserve(&rbn_wait_log, sizeof(*r), 0);
	if (!r) {
		bump(1);
		return 0;
	}
	r->tid = tid;
	r->pad = 0;
	r->wake_ns = s->wake_ns;
	r->oncpu_ns = s->oncpu_ns;
	r->exit_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}
