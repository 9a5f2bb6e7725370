package ring

// ring is what the drains need of Ringbuf and PerfRing. Its methods take no
// closure made here: a closure passed through an interface escapes to the
// heap, so each type wraps its own Read, where the closure stays on the
// stack.
type ring interface {
	Cursor() uint64
	Commit(pos uint64)
	// visitAll visits every visible record, committing after each one if
	// each is set.
	visitAll(visit func([]byte), each bool) (int, error)
	// Published loads the producer's position.
	Published() uint64
	// readInto appends views of the records before end (a Published
	// position) to buf, up to its capacity.
	readInto(buf [][]byte, end uint64) ([][]byte, int, error)
}

var (
	_ ring = (*Ringbuf)(nil)
	_ ring = (*PerfRing)(nil)
)

func (r *Ringbuf) visitAll(visit func([]byte), each bool) (int, error) {
	return r.Read(func(b []byte) bool { visit(b); commitIf(r, each); return true })
}

func (r *PerfRing) visitAll(visit func([]byte), each bool) (int, error) {
	return r.Read(func(b []byte) bool { visit(b); commitIf(r, each); return true })
}

func (r *Ringbuf) readInto(buf [][]byte, end uint64) ([][]byte, int, error) {
	n, err := r.readTo(end, func(b []byte) bool { buf = append(buf, b); return len(buf) < cap(buf) })
	return buf, n, err
}

func (r *PerfRing) readInto(buf [][]byte, end uint64) ([][]byte, int, error) {
	n, err := r.readTo(end, func(b []byte) bool { buf = append(buf, b); return len(buf) < cap(buf) })
	return buf, n, err
}

func commitIf(r ring, each bool) {
	if each {
		r.Commit(r.Cursor())
	}
}

// Drain reads everything visible and commits once, if anything moved: one
// release store of the position per drained batch, not per record (the
// kernel benchmark's custom consumers). Skipped records (DISCARD, LOST)
// move the cursor too. Records visited before an error are committed.
func (r *Ringbuf) Drain(visit func([]byte)) (int, error) { return drain(r, visit, false) }

// Drain: see Ringbuf.Drain; data_tail is the position stored.
func (r *PerfRing) Drain(visit func([]byte)) (int, error) { return drain(r, visit, false) }

// DrainEach is Drain with a store of the position after every record
// visited, as libbpf and cilium/ebpf's readers do: the producer gets each
// record's space back as soon as it is processed, at the price of one store
// to a shared cache line per event. Space of skipped records goes back with
// the store at the end.
func (r *Ringbuf) DrainEach(visit func([]byte)) (int, error) { return drain(r, visit, true) }

// DrainEach: see Ringbuf.DrainEach.
func (r *PerfRing) DrainEach(visit func([]byte)) (int, error) { return drain(r, visit, true) }

// DrainBatch is Drain handing the records to process in batches of up to
// cap(buf) views instead of one call per record: it drains what was
// published when it started, and commits once at the end, if anything
// moved. The views are valid only inside process.
func (r *Ringbuf) DrainBatch(buf [][]byte, process func([][]byte)) (int, error) {
	return drainBatch(r, buf, process)
}

// DrainBatch: see Ringbuf.DrainBatch.
func (r *PerfRing) DrainBatch(buf [][]byte, process func([][]byte)) (int, error) {
	return drainBatch(r, buf, process)
}

func drain(r ring, visit func([]byte), each bool) (int, error) {
	before := r.Cursor()
	n, err := r.visitAll(visit, each)
	// With each, this store repeats the last one unless skipped records
	// followed it: one store per drain, beside one per record.
	if r.Cursor() != before {
		r.Commit(r.Cursor())
	}
	return n, err
}

func drainBatch(r ring, buf [][]byte, process func([][]byte)) (int, error) {
	if cap(buf) == 0 {
		panic("ring: DrainBatch needs a buffer with room for a record")
	}
	before, end := r.Cursor(), r.Published()
	total := 0
	for {
		views, n, err := r.readInto(buf[:0], end)
		total += n
		if len(views) > 0 {
			process(views)
		}
		// Short of a full batch: at end, at a record not yet committed
		// (ringbuf BUSY), or at an error.
		if err != nil || len(views) < cap(buf) {
			if r.Cursor() != before {
				r.Commit(r.Cursor())
			}
			return total, err
		}
	}
}
