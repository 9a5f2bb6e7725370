package modes

import "fmt"

// batchesInFlight is how many batches the channel delivery circulates: the
// reader fills one while the worker records others. Ring space is released
// only when the worker hands a batch back, so views need no copy.
const batchesInFlight = 4

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
		return &inline{src: src, visit: sk.take}
	}
	return newChannel(src, sk, s.Delivery.Batch, len(src.fds()))
}

// inline records on the reading goroutine and commits once per drain.
type inline struct {
	src   source
	visit func([]byte) bool
}

func (d *inline) drain() (int, error) {
	n, err := d.src.read(d.visit)
	if n > 0 {
		d.src.commitRead()
	}
	return n, err
}

func (d *inline) finish() error { return nil }

type batch struct {
	views [][]byte
	marks []uint64
}

// channel passes batches of views to a worker goroutine and commits each
// batch's ring positions when the worker returns it (in order: one worker,
// FIFO channels).
type channel struct {
	src        source
	size       int
	cur        *batch
	free       []*batch
	full, done chan *batch
	inFlight   int
	take       func([]byte) bool
}

func newChannel(src source, sk *sink, size, rings int) *channel {
	c := &channel{src: src, size: size, full: make(chan *batch, batchesInFlight), done: make(chan *batch, batchesInFlight)}
	for range batchesInFlight {
		c.free = append(c.free, &batch{views: make([][]byte, 0, size), marks: make([]uint64, 0, rings)})
	}
	c.cur, c.free = c.free[0], c.free[1:]
	c.take = func(v []byte) bool {
		c.cur.views = append(c.cur.views, v)
		return len(c.cur.views) < c.size
	}
	go func() {
		for b := range c.full {
			for _, v := range b.views {
				sk.record(v)
			}
			c.done <- b
		}
		close(c.done)
	}()
	return c
}

func (c *channel) drain() (int, error) {
	c.reap()
	total := 0
	for {
		n, err := c.src.read(c.take)
		total += n
		if err != nil {
			return total, err
		}
		if len(c.cur.views) < c.size {
			break // nothing more visible
		}
		c.send()
	}
	if len(c.cur.views) > 0 {
		c.send()
	}
	return total, nil
}

func (c *channel) send() {
	c.cur.marks = c.src.mark(c.cur.marks)
	c.full <- c.cur
	c.inFlight++
	if len(c.free) == 0 {
		c.returned(<-c.done) // back-pressure: the worker is behind
	}
	c.cur, c.free = c.free[len(c.free)-1], c.free[:len(c.free)-1]
}

// reap commits batches the worker has finished, without blocking.
func (c *channel) reap() {
	for {
		select {
		case b := <-c.done:
			c.returned(b)
		default:
			return
		}
	}
}

func (c *channel) returned(b *batch) {
	c.src.commit(b.marks)
	b.views = b.views[:0]
	c.inFlight--
	c.free = append(c.free, b)
}

func (c *channel) finish() error {
	if len(c.cur.views) > 0 {
		c.send()
	}
	close(c.full)
	for b := range c.done {
		c.returned(b)
	}
	if c.inFlight != 0 {
		return fmt.Errorf("channel delivery: %d batches never came back", c.inFlight)
	}
	return nil
}
