package modes

import (
	"context"
	"sync/atomic"
)

// watchStop turns ctx's cancellation into a flag the hot loop can poll with
// a plain load (a select on ctx.Done() per poll costs far more) and calls
// interrupt once, so a consumer blocked in a wait notices. The returned
// func ends the watcher when Run returns first.
func watchStop(ctx context.Context, interrupt func()) (stop *atomic.Bool, done func()) {
	stop = new(atomic.Bool)
	finished := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			stop.Store(true)
			interrupt()
		case <-finished:
		}
	}()
	return stop, func() { close(finished) }
}
