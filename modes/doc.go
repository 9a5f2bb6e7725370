// Package modes holds ringbench's read modes, one file each, behind the
// Consumer interface, and the Recorder every mode hands its events to.
//
// A mode is built from a Setup (the producer's ring map and the scenario's
// knobs), runs until its context is done, then drains what the producer left
// in the ring and returns. The runner stops the load generator before it
// cancels the consumer, so the drain sees every event that will ever exist.
package modes
