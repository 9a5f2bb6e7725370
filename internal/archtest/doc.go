// Package archtest holds the test that keeps ringbench's packages importing
// in one direction (ARCHITECTURE.md): its table of layers is the rule.
package archtest
