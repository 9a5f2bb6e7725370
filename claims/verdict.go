package claims

import "ringbench/schema"

// A claim's verdict and result are claims.json's, whose types live in
// schema; the claims name them without the prefix.
type (
	Verdict = schema.Verdict
	Result  = schema.Claim
)

const (
	Holds        = schema.Holds
	Refuted      = schema.Refuted
	Partly       = schema.Partly
	Inconclusive = schema.Inconclusive
)
