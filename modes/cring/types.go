package cring

// Seq is one producer CPU's sequence tracker as the C side left it:
// modes.cpuSeq's fields, which modes copies back.
type Seq struct {
	Next, Settled  uint64
	Open           int64
	Dups, Reorders uint64
	Seen           [SeqWindow / 64]uint64
}

// SeqWindow is rec.h's RBN_SEQ_WINDOW, which must equal modes' seqWindow.
const SeqWindow = 1 << 16

// Counters are what the C recorder and its consumer counted besides the
// sequences and the histogram.
type Counters struct {
	Malformed, Negative, TooSlow, ClockReads, Restamps, InWindow uint64
	Lost, Discarded, Unknown, Wrapped                            uint64
}

// Result is everything a C recorder recorded.
type Result struct {
	Counts   []int64 // latency counts, internal/hist's geometry
	Seqs     []Seq
	EventLen uint32
	Counters Counters
	Trigger  Trigger // back to back: the triggers the C loop issued
}

// Trigger is what the C loop's back-to-back triggers recorded, as
// loadgen.Inline records its own.
type Trigger struct {
	Triggers, WindowTriggers uint64
	Counts                   []int64 // each window trigger's duration
}

// Ring is one mapped ring, in memory the kernel shares (not Go's).
type Ring struct {
	Pos, Head *uint64 // ringbuf consumer/producer positions, or perf data_tail/data_head
	Data      []byte  // the data area (a ringbuf's mapped twice)
	Size      int     // the data area's size
	FD        int     // what epoll waits on
}

// Mmap configures the C mmap consumer.
type Mmap struct {
	Perf         bool
	Rings        []Ring
	Epoll        bool // sleep in epoll_wait when a drain finds nothing, else spin
	CommitRecord bool // hand space back after every record, else once per drain
	B2B          bool // trigger the next batch after each drain (TriggerNr)
	TriggerNr    int
	TimeoutMs    int // longest epoll wait; -1: until data or stop
}

// Lib configures the libbpf consumer.
type Lib struct {
	Perf         bool
	MapFDs       []int // ringbuf: every ring (one per shard); perf: the event array
	PageCnt      int   // perf: pages per CPU ring
	CPUs         []int // perf: CPUs to open rings on (their map keys too)
	WakeupEvents int
	Watermark    int
	B2B          bool
	TriggerNr    int
	TimeoutMs    int // longest poll: bounds how late a stop is seen
}
