package modes

// copier delivers the reader mode's records. The library reuses its record
// buffer on the next read, so channel delivery must copy each record — into
// a preallocated arena per batch, so copying does not allocate.
type copier struct {
	rec  *Recorder
	sk   *sink
	size int
	p    *pipeline[*copyBatch] // nil for inline delivery
}

type copyBatch struct {
	views [][]byte
	arena []byte
}

func newCopier(s Setup, rec *Recorder) *copier {
	c := &copier{rec: rec, sk: newSink(rec, s.Work)}
	if !s.Delivery.Channel {
		return c
	}
	c.size = s.Delivery.Batch
	slot := s.Payload + 16 // perf pads raw samples
	batches := make([]*copyBatch, batchesInFlight)
	for i := range batches {
		batches[i] = &copyBatch{views: make([][]byte, 0, c.size), arena: make([]byte, 0, c.size*slot)}
	}
	c.p = newPipeline(batches,
		func(b *copyBatch) { c.sk.recordPass(b.views) }, // the worker times a batch when it takes it
		func(b *copyBatch) { b.views, b.arena = b.views[:0], b.arena[:0] })
	return c
}

// take delivers one record; remaining is what the reader says is left in
// the ring, so a partial batch goes out when the ring is empty.
func (c *copier) take(raw []byte, remaining int) {
	if c.p == nil {
		c.sk.record(raw)
		return
	}
	b := c.p.cur
	if len(b.arena)+len(raw) > cap(b.arena) {
		c.flush()
		b = c.p.cur
		if len(raw) > cap(b.arena) { // larger than any event: cannot happen, but never drop
			b.arena = make([]byte, 0, len(raw))
		}
	}
	start := len(b.arena)
	b.arena = append(b.arena, raw...)
	b.views = append(b.views, b.arena[start:])
	if len(b.views) == c.size || remaining == 0 {
		c.flush()
	}
}

// beginPass starts a pass for inline delivery; with a channel the worker
// starts one per batch it takes.
func (c *copier) beginPass() {
	if c.p == nil {
		c.sk.beginPass()
	}
}

// flush sends the current batch, if any.
func (c *copier) flush() {
	if c.p != nil && len(c.p.cur.views) > 0 {
		c.p.send()
	}
}

func (c *copier) finish() error {
	if c.p == nil {
		return nil
	}
	c.flush()
	return c.p.finish()
}
