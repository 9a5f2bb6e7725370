//go:build ignore

// SPDX-License-Identifier: GPL-2.0
//
// Watches the scheduler for ringbench, on sched_switch: per CPU, how long
// tasks other than ringbench's own processes ran (interference). Only the
// time tasks run is charged; interrupts taken while a CPU idles are not,
// which is why this and not /proc/stat's busy time says what others took.
// It runs on every context switch of the machine, so it reads the clock
// only when a foreign task comes on, and calls no other helper but the map
// lookup.

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char _license[] SEC("license") = "GPL";

// The fields read, relocated against the running kernel's BTF.
struct sched_entity {
	__u64 sum_exec_runtime;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	struct sched_entity se;
	char comm[16];
} __attribute__((preserve_access_index));

// ringbench's own processes: the consumer's and the load generator's.
const volatile __u32 own_tgid[2] = {};

// One CPU's account. The scheduler has brought prev's run time up to date
// when sched_switch fires, and next's is where its slice starts: the
// difference is the slice, exact, with no clock read. foreign_ns holds the
// finished slices of other tasks. A foreign task alone on its CPU may not
// be switched out for a long time, so when one comes on, the clock is read
// (only then): a reader adds the slice still running, now − foreign_since.
struct cpu_account {
	__u64 foreign_ns;
	__u64 slice_start_ns; // the running task's sum_exec_runtime when it came on
	__u64 foreign_since;  // CLOCK_MONOTONIC when the running foreign task came on
	__u32 on_foreign;     // the running task is not ringbench's (nor idle)
	__u32 slice_pid;      // the running task, as it came on
	__u32 switches;
	__u32 mismatches; // switches whose prev was not the task that came on last: not charged
};

// Keeps the value type in BTF for bpf2go.
const struct cpu_account *unused_cpu_account __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_account);
} rbn_cpu_accounts SEC(".maps");

// Who the foreign time went to, by process: charged when a foreign slice
// ends, so a quiet machine pays nothing here. LRU: a machine with more
// foreign processes than entries keeps the busiest recent ones.
struct foreign_task {
	__u64 ns;
	char comm[16];
};

// Keeps the value type in BTF for bpf2go.
const struct foreign_task *unused_foreign_task __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct foreign_task);
} rbn_foreign_tasks SEC(".maps");

static __always_inline struct cpu_account *account(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&rbn_cpu_accounts, &zero);
}

static __always_inline void charge(struct cpu_account *a, struct task_struct *prev, int prev_pid, __u64 prev_runtime,
				   __u32 prev_tgid, int next_pid, __u32 next_tgid, __u64 next_runtime, int btf)
{
	// A prev other than the task that came on last means a switch this
	// program did not see; its run time would be measured from another
	// task's start, so the slice is not charged.
	if (a->switches && (__u32)prev_pid != a->slice_pid)
		a->mismatches++;
	else if (a->on_foreign && prev_runtime > a->slice_start_ns) {
		__u64 d = prev_runtime - a->slice_start_ns;
		struct foreign_task *t = bpf_map_lookup_elem(&rbn_foreign_tasks, &prev_tgid);

		a->foreign_ns += d;
		if (t) {
			t->ns += d;
		} else {
			struct foreign_task n = { .ns = d };

			if (btf)
				__builtin_memcpy(n.comm, prev->comm, sizeof(n.comm));
			else
				bpf_probe_read_kernel_str(n.comm, sizeof(n.comm), prev->comm);
			bpf_map_update_elem(&rbn_foreign_tasks, &prev_tgid, &n, BPF_ANY);
		}
	}
	a->slice_start_ns = next_runtime;
	a->slice_pid = next_pid;
	a->on_foreign = next_pid != 0 && next_tgid != own_tgid[0] && next_tgid != own_tgid[1];
	if (a->on_foreign)
		a->foreign_since = bpf_ktime_get_ns();
	a->switches++;
}

// tp_btf hands typed pointers: plain loads, no helper calls.
SEC("tp_btf/sched_switch")
int rbn_sched_switch_tp_btf(__u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1], *next = (struct task_struct *)ctx[2];
	struct cpu_account *a = account();

	if (a)
		charge(a, prev, prev->pid, prev->se.sum_exec_runtime, prev->tgid, next->pid, next->tgid,
		       next->se.sum_exec_runtime, 1);
	return 0;
}

SEC("raw_tp/sched_switch")
int rbn_sched_switch_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx->args[1], *next = (struct task_struct *)ctx->args[2];
	struct cpu_account *a = account();

	if (a)
		charge(a, prev, BPF_CORE_READ(prev, pid), BPF_CORE_READ(prev, se.sum_exec_runtime), BPF_CORE_READ(prev, tgid),
		       BPF_CORE_READ(next, pid), BPF_CORE_READ(next, tgid), BPF_CORE_READ(next, se.sum_exec_runtime), 0);
	return 0;
}
