//go:build cgo

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <bpf/libbpf.h>

#include "cring.h"

struct rbn_libh {
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	struct rbn_rec *r; /* while rbn_lib_run runs: the callbacks' recorder */
};

/* libbpf hands each record to a callback; ours is the Recorder's rules. A
 * pass is one poll: the first record a poll delivers reads the clock. */
static int on_sample(void *ctx, void *data, size_t size)
{
	struct rbn_libh *h = ctx;
	rbn_record(h->r, data, (uint32_t)size);
	return 0;
}

static enum bpf_perf_event_ret on_event(void *ctx, int cpu, struct perf_event_header *hdr)
{
	struct rbn_rec *r = ((struct rbn_libh *)ctx)->r;
	(void)cpu;
	if (hdr->type == PERF_RECORD_SAMPLE) {
		struct { struct perf_event_header h; uint32_t size; uint8_t data[]; } *s = (void *)hdr;
		rbn_record(r, s->data, s->size);
	} else if (hdr->type == PERF_RECORD_LOST) {
		struct { struct perf_event_header h; uint64_t id, lost; } *l = (void *)hdr;
		r->c.lost += l->lost;
	} else {
		r->c.unknown++;
	}
	return LIBBPF_PERF_EVENT_CONT;
}

static int stopped(struct rbn_ctl *ctl) { return __atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE); }

void rbn_lib_close(struct rbn_libh *h)
{
	if (!h)
		return;
	ring_buffer__free(h->rb);
	perf_buffer__free(h->pb);
	free(h);
}

struct rbn_libh *rbn_lib_open(struct rbn_lib *l, char *err, int errlen)
{
	struct rbn_libh *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!l->perf) {
		h->rb = ring_buffer__new(l->map_fds[0], on_sample, h, NULL);
		if (!h->rb) {
			snprintf(err, errlen, "ring_buffer__new: %s", strerror(errno));
			goto fail;
		}
		for (int i = 1; i < l->nmaps; i++) {
			int e = ring_buffer__add(h->rb, l->map_fds[i], on_sample, h);
			if (e < 0) {
				snprintf(err, errlen, "ring_buffer__add of ring %d: %s", i, strerror(-e));
				goto fail;
			}
		}
		return h;
	}
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.size = sizeof(attr),
	};
	/* The wakeup policy, as modes/ring.OpenPerf sets it for the Go modes;
	 * perf_buffer__new would fix wakeup_events at 1. */
	if (l->watermark > 0) {
		attr.watermark = 1;
		attr.wakeup_watermark = l->watermark;
	} else {
		attr.wakeup_events = l->wakeup_events > 0 ? l->wakeup_events : 1;
	}
	LIBBPF_OPTS(perf_buffer_raw_opts, o, .cpu_cnt = l->ncpus, .cpus = l->cpus, .map_keys = l->cpus);
	h->pb = perf_buffer__new_raw(l->map_fds[0], l->page_cnt, &attr, on_event, h, &o);
	if (!h->pb) {
		snprintf(err, errlen, "perf_buffer__new_raw: %s", strerror(errno));
		goto fail;
	}
	return h;
fail:
	rbn_lib_close(h);
	return NULL;
}

int rbn_lib_run(struct rbn_libh *h, struct rbn_lib *l, struct rbn_rec *r, const int64_t *window, struct rbn_ctl *ctl, char *err, int errlen)
{
	int n, ret = -1;

	r->window = window;
	h->r = r;
	while (!stopped(ctl)) {
		if (l->b2b)
			rbn_trigger(l->b2b, window);
		rbn_begin_pass(r);
		n = h->rb ? ring_buffer__poll(h->rb, l->timeout_ms) : perf_buffer__poll(h->pb, l->timeout_ms);
		if (n < 0 && n != -EINTR) {
			snprintf(err, errlen, "%s: %s", h->rb ? "ring_buffer__poll" : "perf_buffer__poll", strerror(-n));
			goto out;
		}
	}
	/* perf_buffer__consume reads every ring to its end; a ring buffer's
	 * consume says how many it read, so go on until none. */
	do {
		rbn_begin_pass(r);
		n = h->rb ? ring_buffer__consume(h->rb) : perf_buffer__consume(h->pb);
	} while (n > 0 && h->rb);
	if (n < 0) {
		snprintf(err, errlen, "consume: %s", strerror(-n));
		goto out;
	}
	ret = 0;
out:
	h->r = NULL;
	r->window = NULL;
	return ret;
}
