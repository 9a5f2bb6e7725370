package modes

// deliverer hands the records a mode reads to the recorder.
type deliverer interface {
	// drain reads everything visible now and delivers it.
	drain() (int, error)
	// finish delivers what is pending, waits for it to be recorded and
	// releases the ring.
	finish() error
}

func newDeliverer(s Setup, src source, rec *Recorder) deliverer {
	sk := newSink(rec, s.Work)
	if !s.Delivery.Channel {
		return &inline{src: src, visit: sk.record}
	}
	return newChannel(src, sk, s.Delivery.Batch, len(src.fds()))
}

// inline records on the reading goroutine and commits once per drain.
type inline struct {
	src   source
	visit func([]byte) // sk.record, as a func made once
}

func (d *inline) drain() (int, error) { return d.src.drain(d.visit) }

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
}

func newChannel(src source, sk *sink, size, rings int) *channel {
	batches := make([]*viewBatch, batchesInFlight)
	for i := range batches {
		batches[i] = &viewBatch{views: make([][]byte, 0, size), marks: make([]uint64, 0, rings)}
	}
	c := &channel{src: src, size: size}
	c.p = newPipeline(batches,
		func(b *viewBatch) {
			for _, v := range b.views {
				sk.record(v)
			}
		},
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
