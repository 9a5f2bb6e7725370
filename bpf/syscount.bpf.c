//go:build ignore

// SPDX-License-Identifier: GPL-2.0
//
// Counts the syscalls of one process by thread and syscall number, so every
// read mode's syscalls are counted the same way, from the kernel's side.
// Attached only while a scenario's window is open.

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

struct syscall_key {
	__u32 tid;
	__u32 nr;
};

// Keeps the key type in BTF for bpf2go.
const struct syscall_key *unused_syscall_key __attribute__((unused));

const volatile __u32 count_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syscall_key);
	__type(value, __u64);
} rbn_syscalls SEC(".maps");

static __always_inline int count(__u64 nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct syscall_key key = { .tid = (__u32)id, .nr = (__u32)nr };
	__u64 one = 1, *n;

	if ((id >> 32) != count_tgid)
		return 0;
	n = bpf_map_lookup_elem(&rbn_syscalls, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&rbn_syscalls, &key, &one, BPF_NOEXIST);
	return 0;
}

SEC("tp_btf/sys_enter")
int rbn_sc_tp_btf(__u64 *ctx)
{
	return count(ctx[1]);
}

SEC("raw_tp/sys_enter")
int rbn_sc_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	return count(ctx->args[1]);
}
