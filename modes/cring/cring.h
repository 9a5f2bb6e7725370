// The C read modes: the mmap consumer of modes' spin and epoll modes
// written in C (the kernel benchmark's rb-custom and pb-custom), and
// libbpf's ring_buffer / perf_buffer. Both record through rec.h.
#ifndef RBN_CRING_H
#define RBN_CRING_H

#include "rec.h"

/* One mapped ring: a BPF ring buffer (its data area mapped twice, so no
 * record is split) or one CPU's perf ring (mapped once: records wrap). */
struct rbn_ring {
	uint64_t *pos;   /* ringbuf consumer_pos, or perf data_tail: ours to write */
	uint64_t *head;  /* ringbuf producer_pos, or perf data_head */
	uint8_t *data;
	uint64_t mask;   /* data size - 1 */
	uint64_t cursor;
	int fd;          /* what epoll waits on */
};

/* The back-to-back trigger, timed as loadgen.Inline times it: triggers
 * issued, those inside the window, and each window trigger's duration. */
struct rbn_trig {
	long nr;            /* the trigger syscall (bpf.TriggerSyscall) */
	uint64_t triggers, win_triggers;
	int64_t *counts;    /* durations, internal/hist's geometry */
	int64_t ncounts;
};

/* Shared with Go while a consumer runs: Go sets stop and writes wake_fd. */
struct rbn_ctl {
	int32_t stop;
	int wake_fd;
};

struct rbn_mmap {
	int perf;           /* perf rings, else one ringbuf */
	struct rbn_ring *rings;
	int nrings;
	int epoll;          /* sleep in epoll_wait when a drain finds nothing, else spin */
	int commit_record;  /* hand space back after every record, else once per drain */
	struct rbn_trig *b2b; /* trigger the next batch after each drain; NULL: a producer does */
	int timeout_ms;     /* longest epoll wait; -1: until woken */
};

struct rbn_lib {
	int perf;
	int *map_fds;       /* ringbuf: every ring (ringbuf-sharded: one per shard); perf: the array */
	int nmaps;
	int page_cnt;       /* perf: pages per CPU ring */
	int *cpus;          /* perf: the CPUs to open rings on, also their map keys */
	int ncpus;
	int wakeup_events;  /* perf attr: wake every N samples … */
	int watermark;      /* … or when this many bytes are waiting */
	struct rbn_trig *b2b;
	int timeout_ms;     /* longest poll; bounds how late a stop is seen */
};

struct rbn_ctl *rbn_ctl_new(void);
void rbn_ctl_stop(struct rbn_ctl *ctl);
void rbn_ctl_free(struct rbn_ctl *ctl);
/* Each runs until ctl says stop, then drains what is left. window is the
 * Go window's [start, end), read for the duration of the call only. */
int rbn_run_mmap(struct rbn_mmap *m, struct rbn_rec *r, const int64_t *window, struct rbn_ctl *ctl, char *err, int errlen);
/* libbpf's buffers are opened before the load starts (a perf ring must be
 * in the array before the producer writes), and run later. */
struct rbn_libh;
struct rbn_libh *rbn_lib_open(struct rbn_lib *l, char *err, int errlen);
int rbn_lib_run(struct rbn_libh *h, struct rbn_lib *l, struct rbn_rec *r, const int64_t *window, struct rbn_ctl *ctl, char *err, int errlen);
void rbn_lib_close(struct rbn_libh *h);
int64_t rbn_drain_one(int perf, struct rbn_ring *g, struct rbn_rec *r, const int64_t *window, char *err, int errlen);
void rbn_count_values(int64_t *counts, int64_t ncounts, const int64_t *values, int64_t n);
void rbn_trigger(struct rbn_trig *t, const int64_t *window);
void rbn_record_one(struct rbn_rec *r, const int64_t *window, const uint8_t *raw, uint32_t len, int begin_pass);
double rbn_time_record(struct rbn_rec *r, const int64_t *window, uint8_t *buf, uint32_t size, int n, int64_t duration_ns);

#endif
