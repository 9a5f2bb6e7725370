// Package schema is what ringbench writes and reads back: run.json's types
// (a scenario's Params with their defaults and ID, its runs and every
// figure, the environment), claims.json's, the flags and their thresholds,
// the metric catalog, summaries and verification, and atomic reading and
// writing. It imports the standard library only, so that a results folder
// can be read, rendered and compared anywhere.
package schema
