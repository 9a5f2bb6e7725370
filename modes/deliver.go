package modes

// deliverer hands the records a mode reads to the recorder.
type deliverer interface {
	// drain reads everything visible now and delivers it.
	drain() (int, error)
	// finish delivers what is pending, waits for it to be recorded and
	// releases the ring.
	finish() error
}

// newDeliverer delivers from src to rec as s says. waits: the mode idles
// by waiting for a wakeup (epoll), which a ring still holding records in
// flight to the worker would answer at once.
func newDeliverer(s Setup, src source, rec *Recorder, waits bool) deliverer {
	sk := newSink(rec, s.Work)
	if !s.Delivery.Channel {
		return &inline{src: src, sk: sk, visit: sk.record, pass: sk.recordPass,
			each: s.Commit == CommitRecord, buf: make([][]byte, 0, passViews)}
	}
	c := newChannel(src, sk, s.Delivery.Batch, len(src.fds()))
	c.awaitWorker = waits
	return c
}

// passViews is the most records inline delivery hands the recorder at once:
// one clock reading and one call for up to this many events, few enough
// that the records the ring parser has just read (256 of 64 bytes: 18 KiB
// with their headers) are still in the L1 cache when they are recorded.
const passViews = 256

// inline records on the reading goroutine: a drain's records go to the
// recorder a batch of views at a time, and ring space goes back after each
// batch — or, committing per record, one record at a time with a store after
// each.
type inline struct {
	src   source
	sk    *sink
	visit func([]byte)   // sk.record, as a func made once
	pass  func([][]byte) // sk.recordPass, likewise
	each  bool
	buf   [][]byte
}

func (d *inline) drain() (int, error) {
	if d.each {
		d.sk.beginPass()
		return d.src.drain(d.visit, true)
	}
	return d.src.drainBatch(d.buf, d.pass)
}

func (d *inline) finish() error { return nil }

// viewBatch is views into the ring and each ring's position after them.
type viewBatch struct {
	views [][]byte
	marks []uint64
}

// channel passes batches of zero-copy views to a worker goroutine. The
// views stay valid because ring space is released only when the worker
// hands a batch back.
type channel struct {
	src  source
	size int
	p    *pipeline[*viewBatch]
	take func([]byte) bool
	// awaitWorker: when nothing new is visible but batches are in flight,
	// wait for the worker to hand one back (which releases its ring space)
	// before returning. Their records still count as unread to the kernel
	// until then, so a level-triggered epoll_wait would return at once and
	// the mode would spin through epoll_wait instead of sleeping.
	awaitWorker bool
}

func newChannel(src source, sk *sink, size, rings int) *channel {
	batches := make([]*viewBatch, batchesInFlight)
	for i := range batches {
		batches[i] = &viewBatch{views: make([][]byte, 0, size), marks: make([]uint64, 0, rings)}
	}
	c := &channel{src: src, size: size}
	c.p = newPipeline(batches,
		func(b *viewBatch) { sk.recordPass(b.views) }, // the worker times a batch when it takes it
		func(b *viewBatch) {
			src.commit(b.marks)
			b.views = b.views[:0]
		})
	c.take = func(v []byte) bool {
		c.p.cur.views = append(c.p.cur.views, v)
		return len(c.p.cur.views) < c.size
	}
	return c
}

func (c *channel) drain() (int, error) {
	c.p.reap()
	total := 0
	for {
		n, err := c.src.read(c.take)
		total += n
		if err != nil {
			return total, err
		}
		if len(c.p.cur.views) < c.size {
			break // nothing more visible
		}
		c.send()
	}
	if len(c.p.cur.views) > 0 {
		c.send()
	}
	if total == 0 && c.awaitWorker && c.p.inFlight > 0 {
		c.p.awaitOne()
	}
	return total, nil
}

func (c *channel) send() {
	c.p.cur.marks = c.src.mark(c.p.cur.marks)
	c.p.send()
}

func (c *channel) finish() error {
	if len(c.p.cur.views) > 0 {
		c.send()
	}
	return c.p.finish()
}
