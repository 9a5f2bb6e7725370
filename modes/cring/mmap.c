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

/* commit stores the cursor if it moved: release for a ring buffer
 * (__bpf_ringbuf_reserve reads consumer_pos with acquire), a full barrier
 * for perf (perf_output_put_handle's "D"). */
static void commit(struct rbn_ring *g, uint64_t cur, int perf)
{
	if (cur == g->cursor)
		return;
	g->cursor = cur;
	__atomic_store_n(g->pos, cur, perf ? __ATOMIC_SEQ_CST : __ATOMIC_RELEASE);
}

/* One pass over a ring buffer: modes/ring's Ringbuf.Drain, rule for rule.
 * Positions are free-running: differences, never comparisons. Returns the
 * records visited (discarded ones too), or -1 if the ring is corrupt,
 * having committed what it read before the offending record. */
static int64_t drain_ringbuf(struct rbn_ring *g, struct rbn_rec *r, int commit_record, char *err, int errlen)
{
	uint64_t prod = __atomic_load_n(g->head, __ATOMIC_ACQUIRE), cur = g->cursor, size = g->mask + 1;
	int64_t n = 0;

	rbn_begin_pass(r);
	if (prod - cur > size || (prod - cur) % 8 != 0) {
		snprintf(err, errlen, "ringbuf producer position %llu is %lld bytes from cursor %llu (ring %llu): ring corrupt",
			 (unsigned long long)prod, (long long)(prod - cur), (unsigned long long)cur, (unsigned long long)size);
		return -1;
	}
	while (cur != prod) {
		uint8_t *p = g->data + (cur & g->mask);
		uint32_t hdr = __atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE);
		if (hdr & RB_BUSY)
			break;
		uint64_t len = hdr & ~(RB_BUSY | RB_DISCARD), rec = (len + 8 + 7) & ~7ull;
		if (rec > prod - cur) {
			snprintf(err, errlen, "ringbuf record at %llu of length %llu runs past producer position %llu: ring corrupt",
				 (unsigned long long)cur, (unsigned long long)len, (unsigned long long)prod);
			commit(g, cur, 0);
			return -1;
		}
		if (hdr & RB_DISCARD)
			r->c.discarded++;
		else
			rbn_record(r, p + 8, (uint32_t)len);
		n++;
		cur += rec;
		if (commit_record)
			commit(g, cur, 0);
	}
	commit(g, cur, 0);
	return n;
}

/* A perf ring's bytes at pos, wrapping its end: for a header or record
 * that crosses it (perf_output_copy writes through the mask). */
static const uint8_t *perf_bytes(struct rbn_ring *g, uint64_t pos, uint64_t n, uint8_t *scratch, struct rbn_rec *r)
{
	uint64_t off = pos & g->mask, size = g->mask + 1;
	if (off + n <= size)
		return g->data + off;
	memcpy(scratch, g->data + off, size - off);
	memcpy(scratch + (size - off), g->data, n - (size - off));
	if (r)
		r->c.wrapped++;
	return scratch;
}

/* One pass over a perf ring: modes/ring's PerfRing.Drain, rule for rule. */
static int64_t drain_perf(struct rbn_ring *g, struct rbn_rec *r, int commit_record, uint8_t *scratch, char *err, int errlen)
{
	uint64_t head = __atomic_load_n(g->head, __ATOMIC_ACQUIRE), cur = g->cursor, size = g->mask + 1;
	int64_t n = 0;
	uint8_t hbuf[8];

	rbn_begin_pass(r);
	if (head - cur > size) {
		snprintf(err, errlen, "perf data_head %llu is %lld bytes from cursor %llu (ring %llu): ring corrupt",
			 (unsigned long long)head, (long long)(head - cur), (unsigned long long)cur, (unsigned long long)size);
		return -1;
	}
	while (cur != head) {
		uint64_t avail = head - cur;
		uint32_t type;
		uint16_t rsize;
		const char *bad = NULL;
		if (avail < 8) {
			bad = "cannot hold a record header";
			goto corrupt;
		}
		const uint8_t *h = perf_bytes(g, cur, 8, hbuf, NULL);
		memcpy(&type, h, 4);
		memcpy(&rsize, h + 6, 2);
		if (rsize < 8 || rsize > avail) {
			bad = "record size out of bounds";
			goto corrupt;
		}
		if (type == PERF_RECORD_SAMPLE) {
			uint32_t raw;
			if (rsize < 12) {
				bad = "sample without a raw size";
				goto corrupt;
			}
			const uint8_t *p = perf_bytes(g, cur, rsize, scratch, r);
			memcpy(&raw, p + 8, 4);
			if (raw > (uint64_t)rsize - 12) {
				bad = "raw size beyond record size";
				goto corrupt;
			}
			rbn_record(r, p + 12, raw);
		} else if (type == PERF_RECORD_LOST) {
			uint64_t lost;
			if (rsize < 24) {
				bad = "LOST record too short";
				goto corrupt;
			}
			memcpy(&lost, perf_bytes(g, cur, 24, scratch, r) + 16, 8);
			r->c.lost += lost;
		} else {
			r->c.unknown++;
		}
		n++;
		cur += rsize;
		if (commit_record)
			commit(g, cur, 1);
		continue;
corrupt:
		snprintf(err, errlen, "perf record at %llu (%llu bytes published): %s: ring corrupt",
			 (unsigned long long)cur, (unsigned long long)avail, bad);
		commit(g, cur, 1);
		return -1;
	}
	commit(g, cur, 1);
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
	return total;
}

/* wait_ready sleeps until a ring or the stop eventfd is readable; which
 * one does not matter, the loop drains and checks stop either way. */
static int wait_ready(int epfd, int timeout_ms, char *err, int errlen)
{
	struct epoll_event ev[64];
	int n = epoll_wait(epfd, ev, 64, timeout_ms);
	if (n < 0 && errno != EINTR) {
		snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
		return -1;
	}
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
			if (m->epoll && wait_ready(epfd, m->timeout_ms, err, errlen) < 0)
				goto out;
		}
		if ((n = drain_all(m, r, scratch, err, errlen)) < 0)
			goto out;
		if (n == 0 && !m->b2b && m->epoll && wait_ready(epfd, m->timeout_ms, err, errlen) < 0)
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

void rbn_count_values(int64_t *counts, int64_t ncounts, const int64_t *values, int64_t n)
{
	for (int64_t k = 0; k < n; k++) {
		if (values[k] < 0)
			continue;
		int64_t i = rbn_index(values[k]);
		if (i < ncounts)
			counts[i]++;
	}
}

/* rbn_drain_one is one drain of one ring, for the fuzz target that holds
 * the C parsers to modes/ring's. */
int64_t rbn_drain_one(int perf, struct rbn_ring *g, struct rbn_rec *r, const int64_t *window, char *err, int errlen)
{
	uint8_t *scratch = perf ? malloc(PERF_MAX_RECORD) : NULL;
	int64_t n;
	r->window = window;
	n = perf ? drain_perf(g, r, 0, scratch, err, errlen) : drain_ringbuf(g, r, 0, err, errlen);
	r->window = NULL;
	free(scratch);
	return n;
}
