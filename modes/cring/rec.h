// The C twin of modes.Recorder: what the C consumers do per event, so that
// a C read mode is measured with the same accounting as the Go ones. Every
// rule here is the Go Recorder's (modes/recorder.go, modes/seq.go), and
// TestCRecorderMatchesGo holds the two to the same answers.
#ifndef RBN_REC_H
#define RBN_REC_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#define RBN_EVENT_HEADER 24   /* bpf.EventHeader: seq u64, ts i64, cpu u32, len u32 */
#define RBN_COMPACT_SIZE 8    /* bpf.CompactEventSize */
#define RBN_COMPACT_SHIFT 48  /* bpf.CompactCPUShift */
#define RBN_SEQ_WINDOW (1u << 16)

/* modes.cpuSeq, field for field. */
struct rbn_seq {
	uint64_t next, settled;
	int64_t open;
	uint64_t dups, reorders;
	uint64_t seen[RBN_SEQ_WINDOW / 64];
};

/* What the Go Recorder counts that cannot be derived from the sequences
 * and the histogram, plus the transport's own counts. */
struct rbn_counters {
	uint64_t malformed, negative, too_slow, clock_reads, restamps, in_win;
	uint64_t lost, discarded, unknown, wrapped;
};

struct rbn_rec {
	int64_t *counts;        /* latency counts, internal/hist's geometry */
	int64_t ncounts;
	struct rbn_seq *seq;    /* one per producer CPU */
	uint32_t ncpus;
	const int64_t *window;  /* [start, end): the Go window's atomics */
	int per_event;          /* ClockPerEvent */
	int no_ts;              /* 8-byte events without a timestamp */
	uint32_t event_len;     /* the events' length, from the first */
	int64_t now, win_start, win_end;
	struct rbn_counters c;
};

static inline int64_t rbn_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* internal/hist.Index: HdrHistogram's counts index of v >= 0 for lowest 1
 * and 3 significant digits. */
static inline int64_t rbn_index(int64_t v)
{
	int b = 64 - __builtin_clzll((uint64_t)v | 2047) - 11;
	return ((int64_t)(b + 1) << 10) + (v >> b) - 1024;
}

/* cpuSeq.settle */
static void rbn_settle(struct rbn_seq *c)
{
	uint64_t a = c->settled, b = c->next;
	c->settled = b;
	if (b - a >= RBN_SEQ_WINDOW) {
		memset(c->seen, 0xff, sizeof(c->seen));
		return;
	}
	while (a < b) {
		uint64_t i = a % RBN_SEQ_WINDOW, lo = i % 64, n = 64 - lo;
		if (b - a < n)
			n = b - a;
		c->seen[i / 64] |= (n == 64 ? ~0ull : ((1ull << n) - 1)) << lo;
		a += n;
	}
}

/* cpuSeq.observeOther */
static void rbn_observe_other(struct rbn_seq *c, uint64_t s)
{
	rbn_settle(c);
	if (s >= c->next) {
		if (s - c->next >= RBN_SEQ_WINDOW) {
			memset(c->seen, 0, sizeof(c->seen));
		} else {
			for (uint64_t x = c->next; x < s; x++)
				c->seen[(x % RBN_SEQ_WINDOW) / 64] &= ~(1ull << (x % 64));
		}
		c->open += (int64_t)(s - c->next);
		c->seen[(s % RBN_SEQ_WINDOW) / 64] |= 1ull << (s % 64);
		c->next = s + 1;
		c->settled = c->next;
	} else if (c->next - s > RBN_SEQ_WINDOW) {
		c->reorders++;
		c->open--;
	} else {
		uint64_t *w = &c->seen[(s % RBN_SEQ_WINDOW) / 64], m = 1ull << (s % 64);
		if (*w & m) {
			c->dups++;
			return;
		}
		*w |= m;
		c->reorders++;
		c->open--;
	}
}

static inline void rbn_observe(struct rbn_seq *c, uint64_t s)
{
	if (s != c->next) {
		rbn_observe_other(c, s);
		return;
	}
	c->next = s + 1;
}

/* Recorder.BeginPass: the next event reads the clock. */
static inline void rbn_begin_pass(struct rbn_rec *r) { r->now = 0; }

/* Recorder.restamp */
static inline void rbn_restamp(struct rbn_rec *r, int64_t ts)
{
	if (r->now != 0 && !r->per_event && ts >= r->now)
		r->c.restamps++;
	r->now = rbn_clock();
	r->c.clock_reads++;
	r->win_start = __atomic_load_n(&r->window[0], __ATOMIC_ACQUIRE);
	r->win_end = __atomic_load_n(&r->window[1], __ATOMIC_ACQUIRE);
}

/* Recorder.recordCompact */
static void rbn_record_compact(struct rbn_rec *r, const uint8_t *raw, uint32_t n)
{
	uint64_t v;
	if (n < RBN_COMPACT_SIZE) {
		r->c.malformed++;
		return;
	}
	memcpy(&v, raw, 8);
	uint32_t cpu = (uint32_t)(v >> RBN_COMPACT_SHIFT);
	if (cpu >= r->ncpus) {
		r->c.malformed++;
		return;
	}
	rbn_observe(&r->seq[cpu], v & ((1ull << RBN_COMPACT_SHIFT) - 1));
	if (r->now == 0 || r->per_event)
		rbn_restamp(r, 0);
	if (r->now >= r->win_start && r->now < r->win_end)
		r->c.in_win++;
}

/* Recorder.Record's rules for one event of the current pass: the sequence
 * check, the first event's length, the clock per pass (or per event), the
 * window test and the histogram. */
static inline void rbn_record(struct rbn_rec *r, const uint8_t *raw, uint32_t n)
{
	uint64_t seq;
	int64_t ts, lat, i;
	uint32_t cpu, len;

	if (r->no_ts) {
		rbn_record_compact(r, raw, n);
		return;
	}
	if (n < RBN_EVENT_HEADER) {
		r->c.malformed++;
		return;
	}
	memcpy(&seq, raw, 8);
	memcpy(&ts, raw + 8, 8);
	memcpy(&cpu, raw + 16, 4);
	memcpy(&len, raw + 20, 4);
	if (len > n || cpu >= r->ncpus || len != r->event_len) {
		/* Recorder.firstEvent */
		if (!(r->event_len == 0 && cpu < r->ncpus && len >= RBN_EVENT_HEADER && len <= n)) {
			r->c.malformed++;
			return;
		}
		r->event_len = len;
	}
	rbn_observe(&r->seq[cpu], seq);
	if (ts >= r->now || r->per_event)
		rbn_restamp(r, ts);
	lat = r->now - ts;
	if (lat < 0) {
		r->c.negative++;
		return;
	}
	if (ts < r->win_start || ts >= r->win_end)
		return;
	i = rbn_index(lat);
	if (i < r->ncounts)
		r->counts[i]++;
	else
		r->c.too_slow++;
}

#endif
