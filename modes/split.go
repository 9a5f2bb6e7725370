package modes

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Split builds one consumer of mode per setup, each for its share of the
// rings (perf's per-CPU rings, ringbuf-sharded's shards), and runs them as
// one: each records into a Recorder of its own, merged into the caller's
// when they have all stopped. The caller's Recorder gets no thread: the
// figures of one reading thread do not describe several.
func Split(mode string, setups []Setup) (Consumer, error) {
	g := &group{}
	for i, s := range setups {
		c, err := New(mode, s)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("consumer %d: %w", i, err)
		}
		g.cs = append(g.cs, c)
	}
	return g, nil
}

type group struct{ cs []Consumer }

func (g *group) Run(ctx context.Context, rec *Recorder) error {
	recs := make([]*Recorder, len(g.cs))
	errs := make([]error, len(g.cs)+1)
	var wg sync.WaitGroup
	for i, c := range g.cs {
		recs[i] = NewRecorder(len(rec.seq), rec.window, rec.opts)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Run(ctx, recs[i]); err != nil {
				errs[i] = fmt.Errorf("consumer %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	errs[len(g.cs)] = rec.absorb(recs)
	return errors.Join(errs...)
}

func (g *group) Close() error {
	var errs []error
	for _, c := range g.cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// absorb merges recorders that read disjoint rings into r: each producing
// CPU's sequence from the one recorder that saw its events, everything
// else added. Two recorders that saw one CPU's events mean the rings were
// not split as they should have been.
func (r *Recorder) absorb(recs []*Recorder) error {
	for cpu := range r.seq {
		from := -1
		for i, o := range recs {
			if o.seq[cpu].next == 0 && o.seq[cpu].arrivals() == 0 {
				continue
			}
			if from >= 0 {
				return fmt.Errorf("CPU %d's events reached consumers %d and %d", cpu, from, i)
			}
			from = i
		}
		if from >= 0 {
			r.seq[cpu] = recs[from].seq[cpu]
		}
	}
	for _, o := range recs {
		r.addFrom(o.latency.Raw(), o.eventLen, o.tooSlow, o.inWin, o.c)
	}
	return nil
}
