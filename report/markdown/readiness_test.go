package markdown

import (
	"strings"
	"testing"
)

// A run recorded before the checks existed renders as it did.
func TestReportWithoutReadiness(t *testing.T) {
	if md := string(Markdown(matrixFixture(t), nil, nil, Options{})); strings.Contains(md, "Perf-box readiness") {
		t.Error("readiness paragraph without findings")
	}
}
