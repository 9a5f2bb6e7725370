package schema

// Verdict is the answer to one claim of CLAIMS.md.
type Verdict string

const (
	Holds        Verdict = "holds"
	Refuted      Verdict = "refuted"
	Partly       Verdict = "partly"       // the evidence says which part
	Inconclusive Verdict = "inconclusive" // missing privilege or feature, or noise too large: the evidence says which
)

// Claim is one claim's verdict and the evidence it was computed from: an
// element of claims.json.
type Claim struct {
	ID        string   `json:"id"`
	Claim     string   `json:"claim"`
	Verdict   Verdict  `json:"verdict"`
	Evidence  []string `json:"evidence"`            // each line: a syscall and what it returned, or a figure with its spread
	Scenarios []string `json:"scenarios,omitempty"` // scenario IDs a performance verdict used
}

// ClaimIDs are the claims of CLAIMS.md, in order.
var ClaimIDs = []string{"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12"}

// PerfClaimIDs are the claims decided from timings rather than from what
// the kernel returns.
var PerfClaimIDs = []string{"C6", "C7", "C8", "C9", "C11"}
