package modes

import "fmt"

// copier delivers the reader mode's records. The library reuses its record
// buffer on the next read, so channel delivery must copy each record — into
// a preallocated arena per batch, so copying does not allocate.
type copier struct {
	rec      *Recorder
	sk       *sink
	channel  bool
	size     int
	cur      *copyBatch
	free     []*copyBatch
	full     chan *copyBatch
	done     chan *copyBatch
	inFlight int
}

type copyBatch struct {
	views [][]byte
	arena []byte
}

func newCopier(s Setup, rec *Recorder) *copier {
	c := &copier{rec: rec, sk: newSink(rec, s.Work), channel: s.Delivery.Channel}
	if !c.channel {
		return c
	}
	c.size = s.Delivery.Batch
	c.full, c.done = make(chan *copyBatch, batchesInFlight), make(chan *copyBatch, batchesInFlight)
	slot := s.Payload + 16 // perf pads raw samples
	for range batchesInFlight {
		c.free = append(c.free, &copyBatch{views: make([][]byte, 0, c.size), arena: make([]byte, 0, c.size*slot)})
	}
	c.cur, c.free = c.free[0], c.free[1:]
	go func() {
		for b := range c.full {
			for _, v := range b.views {
				c.sk.record(v)
			}
			c.done <- b
		}
		close(c.done)
	}()
	return c
}

// take delivers one record; remaining is what the reader says is left in
// the ring, so a partial batch goes out when the ring is empty.
func (c *copier) take(raw []byte, remaining int) {
	if !c.channel {
		c.sk.record(raw)
		return
	}
	if len(c.cur.arena)+len(raw) > cap(c.cur.arena) {
		c.flush()
		if len(raw) > cap(c.cur.arena) { // larger than any event: cannot happen, but never drop
			c.cur.arena = make([]byte, 0, len(raw))
		}
	}
	start := len(c.cur.arena)
	c.cur.arena = append(c.cur.arena, raw...)
	c.cur.views = append(c.cur.views, c.cur.arena[start:])
	if len(c.cur.views) == c.size || remaining == 0 {
		c.flush()
	}
}

// flush sends the current batch, if any.
func (c *copier) flush() {
	if !c.channel || len(c.cur.views) == 0 {
		return
	}
	c.full <- c.cur
	c.inFlight++
	for len(c.free) == 0 {
		c.returned(<-c.done)
	}
	c.cur, c.free = c.free[len(c.free)-1], c.free[:len(c.free)-1]
	for { // reuse whatever else came back meanwhile
		select {
		case b := <-c.done:
			c.returned(b)
		default:
			return
		}
	}
}

func (c *copier) returned(b *copyBatch) {
	b.views, b.arena = b.views[:0], b.arena[:0]
	c.inFlight--
	c.free = append(c.free, b)
}

func (c *copier) finish() error {
	if !c.channel {
		return nil
	}
	c.flush()
	close(c.full)
	for b := range c.done {
		c.returned(b)
	}
	if c.inFlight != 0 {
		return fmt.Errorf("channel delivery: %d batches never came back", c.inFlight)
	}
	return nil
}
