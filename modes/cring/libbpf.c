//go:build cgo

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <linux/perf_event.h>
#include <bpf/libbpf.h>

#include "cring.h"

/* libbpf hands each record to a callback; ours is the Recorder's rules. A
 * pass is one poll: the first record a poll delivers reads the clock. */
static int on_sample(void *ctx, void *data, size_t size)
{
	rbn_record(ctx, data, (uint32_t)size);
	return 0;
}

static enum bpf_perf_event_ret on_event(void *ctx, int cpu, struct perf_event_header *h)
{
	struct rbn_rec *r = ctx;
	(void)cpu;
	if (h->type == PERF_RECORD_SAMPLE) {
		struct { struct perf_event_header h; uint32_t size; uint8_t data[]; } *s = (void *)h;
		rbn_record(r, s->data, s->size);
	} else if (h->type == PERF_RECORD_LOST) {
		struct { struct perf_event_header h; uint64_t id, lost; } *l = (void *)h;
		r->c.lost += l->lost;
	} else {
		r->c.unknown++;
	}
	return LIBBPF_PERF_EVENT_CONT;
}

static int stopped(struct rbn_ctl *ctl) { return __atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE); }

int rbn_run_libbpf(struct rbn_lib *l, struct rbn_rec *r, const int64_t *window, struct rbn_ctl *ctl, char *err, int errlen)
{
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pb = NULL;
	int n, ret = -1;

	r->window = window;
	if (!l->perf) {
		rb = ring_buffer__new(l->map_fd, on_sample, r, NULL);
		if (!rb) {
			snprintf(err, errlen, "ring_buffer__new: %s", strerror(errno));
			goto out;
		}
	} else {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.config = PERF_COUNT_SW_BPF_OUTPUT,
			.sample_type = PERF_SAMPLE_RAW,
			.sample_period = 1,
			.size = sizeof(attr),
		};
		/* The wakeup policy, as modes/ring.OpenPerf sets it for the Go
		 * modes; perf_buffer__new would fix wakeup_events at 1. */
		if (l->watermark > 0) {
			attr.watermark = 1;
			attr.wakeup_watermark = l->watermark;
		} else {
			attr.wakeup_events = l->wakeup_events > 0 ? l->wakeup_events : 1;
		}
		LIBBPF_OPTS(perf_buffer_raw_opts, o, .cpu_cnt = l->ncpus, .cpus = l->cpus, .map_keys = l->cpus);
		pb = perf_buffer__new_raw(l->map_fd, l->page_cnt, &attr, on_event, r, &o);
		if (!pb) {
			snprintf(err, errlen, "perf_buffer__new_raw: %s", strerror(errno));
			goto out;
		}
	}
	while (!stopped(ctl)) {
		if (l->b2b)
			rbn_trigger(l->b2b, window);
		rbn_begin_pass(r);
		r->c.polls++;
		n = rb ? ring_buffer__poll(rb, l->timeout_ms) : perf_buffer__poll(pb, l->timeout_ms);
		if (n < 0 && n != -EINTR) {
			snprintf(err, errlen, "%s: %s", rb ? "ring_buffer__poll" : "perf_buffer__poll", strerror(-n));
			goto out;
		}
		r->c.drains++;
	}
	do {
		rbn_begin_pass(r);
		n = rb ? ring_buffer__consume(rb) : perf_buffer__consume(pb);
	} while (n > 0 && rb);
	if (n < 0) {
		snprintf(err, errlen, "consume: %s", strerror(-n));
		goto out;
	}
	ret = 0;
out:
	ring_buffer__free(rb);
	perf_buffer__free(pb);
	r->window = NULL;
	return ret;
}
