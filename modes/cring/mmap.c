//go:build cgo

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "cring.h"

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define PERF_RECORD_LOST 2
#define PERF_RECORD_SAMPLE 9
#define PERF_MAX_RECORD (1 << 16)

struct rbn_ctl *rbn_ctl_new(void)
{
	struct rbn_ctl *ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return NULL;
	ctl->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctl->wake_fd < 0) {
		free(ctl);
		return NULL;
	}
	return ctl;
}

void rbn_ctl_stop(struct rbn_ctl *ctl)
{
	uint64_t one = 1;
	__atomic_store_n(&ctl->stop, 1, __ATOMIC_RELEASE);
	(void)!write(ctl->wake_fd, &one, sizeof(one));
}

void rbn_ctl_free(struct rbn_ctl *ctl)
{
	close(ctl->wake_fd);
	free(ctl);
}

static int stopped(struct rbn_ctl *ctl) { return __atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE); }

/* One pass over a ring buffer: modes/ring's Ringbuf.Drain. Returns the
 * records visited (discarded ones too), or -1 if the ring is corrupt. */
static int64_t drain_ringbuf(struct rbn_ring *g, struct rbn_rec *r, int commit_record, char *err, int errlen)
{
	uint64_t prod = __atomic_load_n(g->head, __ATOMIC_ACQUIRE), cur = g->cursor;
	int64_t n = 0;

	rbn_begin_pass(r);
	while (cur < prod) {
		uint8_t *p = g->data + (cur & g->mask);
		uint32_t hdr = __atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE);
		if (hdr & RB_BUSY)
			break;
		uint32_t len = hdr & ~(RB_BUSY | RB_DISCARD);
		uint64_t size = ((uint64_t)len + 8 + 7) & ~7ull;
		if (size > g->mask + 1 || cur + size > prod) {
			snprintf(err, errlen, "ringbuf record of %u bytes at %llu: ring corrupt", len, (unsigned long long)cur);
			return -1;
		}
		if (hdr & RB_DISCARD)
			r->c.discarded++;
		else
			rbn_record(r, p + 8, len);
		n++;
		cur += size;
		if (commit_record)
			__atomic_store_n(g->pos, cur, __ATOMIC_RELEASE);
	}
	if (cur != g->cursor) {
		g->cursor = cur;
		if (!commit_record)
			__atomic_store_n(g->pos, cur, __ATOMIC_RELEASE);
	}
	return n;
}

/* One pass over a perf ring: modes/ring's PerfRing.Drain. A record that
 * wraps the end of the data area is put together in scratch. */
static int64_t drain_perf(struct rbn_ring *g, struct rbn_rec *r, int commit_record, uint8_t *scratch, char *err, int errlen)
{
	uint64_t head = __atomic_load_n(g->head, __ATOMIC_ACQUIRE), cur = g->cursor, size = g->mask + 1;
	int64_t n = 0;

	rbn_begin_pass(r);
	while (cur < head) {
		uint64_t off = cur & g->mask;
		uint8_t *p = g->data + off;
		uint32_t type;
		uint16_t rsize;
		memcpy(&type, p, 4);
		memcpy(&rsize, p + 6, 2);
		if (rsize < 8 || rsize > head - cur) {
			snprintf(err, errlen, "perf record of %u bytes at %llu: ring corrupt", rsize, (unsigned long long)cur);
			return -1;
		}
		if (off + rsize > size) {
			memcpy(scratch, p, size - off);
			memcpy(scratch + (size - off), g->data, rsize - (size - off));
			p = scratch;
			r->c.wrapped++;
		}
		if (type == PERF_RECORD_SAMPLE && rsize >= 12) {
			uint32_t raw;
			memcpy(&raw, p + 8, 4);
			if (12 + (uint64_t)raw > rsize) {
				snprintf(err, errlen, "perf sample of %u bytes in a record of %u: ring corrupt", raw, rsize);
				return -1;
			}
			rbn_record(r, p + 12, raw);
		} else if (type == PERF_RECORD_LOST && rsize >= 24) {
			uint64_t lost;
			memcpy(&lost, p + 16, 8);
			r->c.lost += lost;
		} else {
			r->c.unknown++;
		}
		n++;
		cur += rsize;
		/* perf_output_put_handle wants a full barrier before data_tail. */
		if (commit_record)
			__atomic_store_n(g->pos, cur, __ATOMIC_SEQ_CST);
	}
	if (cur != g->cursor) {
		g->cursor = cur;
		if (!commit_record)
			__atomic_store_n(g->pos, cur, __ATOMIC_SEQ_CST);
	}
	return n;
}

static int64_t drain_all(struct rbn_mmap *m, struct rbn_rec *r, uint8_t *scratch, char *err, int errlen)
{
	int64_t total = 0;
	for (int i = 0; i < m->nrings; i++) {
		int64_t n = m->perf ? drain_perf(&m->rings[i], r, m->commit_record, scratch, err, errlen)
				    : drain_ringbuf(&m->rings[i], r, m->commit_record, err, errlen);
		if (n < 0)
			return n;
		total += n;
	}
	r->c.drains++;
	return total;
}

static int wait_ready(int epfd, struct rbn_ctl *ctl, int timeout_ms, struct rbn_rec *r, char *err, int errlen)
{
	struct epoll_event ev[64];
	r->c.polls++;
	int n = epoll_wait(epfd, ev, 64, timeout_ms);
	if (n < 0 && errno != EINTR) {
		snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
		return -1;
	}
	(void)ctl;
	return 0;
}

void rbn_trigger(struct rbn_trig *t, const int64_t *window)
{
	int64_t t0 = rbn_clock();
	syscall(t->nr, 0, 0, 0);
	int64_t t1 = rbn_clock();
	t->triggers++;
	if (t0 < __atomic_load_n(&window[0], __ATOMIC_ACQUIRE) || t0 >= __atomic_load_n(&window[1], __ATOMIC_ACQUIRE))
		return;
	t->win_triggers++;
	int64_t i = rbn_index(t1 - t0);
	if (i < t->ncounts)
		t->counts[i]++;
}

int rbn_run_mmap(struct rbn_mmap *m, struct rbn_rec *r, const int64_t *window, struct rbn_ctl *ctl, char *err, int errlen)
{
	int epfd = -1, ret = -1;
	int64_t n;
	uint8_t *scratch = m->perf ? malloc(PERF_MAX_RECORD) : NULL;

	r->window = window;
	if (m->perf && !scratch) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (m->epoll) {
		struct epoll_event ev = {.events = EPOLLIN};
		epfd = epoll_create1(EPOLL_CLOEXEC);
		if (epfd < 0) {
			snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
			goto out;
		}
		for (int i = 0; i <= m->nrings; i++) {
			int fd = i < m->nrings ? m->rings[i].fd : ctl->wake_fd;
			ev.data.fd = fd;
			if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
				snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
				goto out;
			}
		}
	}
	while (!stopped(ctl)) {
		if (m->b2b) {
			rbn_trigger(m->b2b, window);
			if (m->epoll && wait_ready(epfd, ctl, m->timeout_ms, r, err, errlen) < 0)
				goto out;
		}
		if ((n = drain_all(m, r, scratch, err, errlen)) < 0)
			goto out;
		if (n == 0 && !m->b2b && m->epoll && wait_ready(epfd, ctl, m->timeout_ms, r, err, errlen) < 0)
			goto out;
	}
	/* The load stopped before we were told to: what is in the rings now
	 * is all there will be. */
	while ((n = drain_all(m, r, scratch, err, errlen)) > 0)
		;
	ret = n < 0 ? -1 : 0;
out:
	if (epfd >= 0)
		close(epfd);
	free(scratch);
	r->window = NULL;
	return ret;
}

void rbn_record_one(struct rbn_rec *r, const int64_t *window, const uint8_t *raw, uint32_t len, int begin_pass)
{
	r->window = window;
	if (begin_pass)
		rbn_begin_pass(r);
	rbn_record(r, raw, len);
	r->window = NULL;
}

/* rbn_time_record times the recorder as modes.MeasureRecorderCost times
 * the Go one: passes of n events of size bytes (buf holds n), written as a
 * producer would (outside the timing), then recorded in one pass, for
 * about duration_ns. It returns ns per event, with the timing's own clock
 * reading per pass in it. */
double rbn_time_record(struct rbn_rec *r, const int64_t *window, uint8_t *buf, uint32_t size, int n, int64_t duration_ns)
{
	int64_t ns = 0, events = 0, deadline = rbn_clock() + duration_ns;
	uint64_t seq = r->seq[0].next;

	r->window = window;
	while (rbn_clock() < deadline) {
		int64_t ts = rbn_clock();
		for (int i = 0; i < n; i++, seq++) {
			uint8_t *e = buf + (size_t)i * size;
			if (r->no_ts) {
				memcpy(e, &seq, 8); /* CPU 0 */
			} else {
				uint32_t cpu = 0;
				memcpy(e, &seq, 8);
				memcpy(e + 8, &ts, 8);
				memcpy(e + 16, &cpu, 4);
				memcpy(e + 20, &size, 4);
			}
		}
		int64_t t0 = rbn_clock();
		rbn_begin_pass(r);
		for (int i = 0; i < n; i++)
			rbn_record(r, buf + (size_t)i * size, size);
		ns += rbn_clock() - t0;
		events += n;
	}
	r->window = NULL;
	return events ? (double)ns / (double)events : 0;
}
