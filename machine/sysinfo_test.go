package machine

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

const configFixture = "testdata/config-6.18.txt"

func TestParseKernelConfig(t *testing.T) {
	f, err := os.Open(configFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := ParseKernelConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"CONFIG_HZ":                "250",
		"CONFIG_PREEMPT_NONE":      "y",
		"CONFIG_PREEMPT":           "n", // "# CONFIG_PREEMPT is not set"
		"CONFIG_NO_HZ_FULL":        "n",
		"CONFIG_BPF_JIT_ALWAYS_ON": "y",
		"CONFIG_LOCALVERSION":      "-fc-v669",
		"CONFIG_DEFAULT_HOSTNAME":  "(none)",
		"CONFIG_DEFAULT_INIT":      "",
		"CONFIG_CMDLINE":           "mitigations=auto,no_guest_host,no_guest_guest",
	} {
		if got, ok := cfg[k]; !ok || got != want {
			t.Errorf("%s = %q (present %v), want %q", k, got, ok, want)
		}
	}
	for k := range cfg {
		if !strings.HasPrefix(k, "CONFIG_") {
			t.Errorf("comment or blank line parsed as key %q", k)
		}
	}
}

func TestParseKernelConfigEdges(t *testing.T) {
	in := "\n  \n# Comment, not an option\n#CONFIG_NOSPACE is not set\n" +
		`CONFIG_ESC="a \"b\" c\\d"` + "\n" +
		"CONFIG_PAD = 7 \nNOT_CONFIG=1\n# CONFIG_OFF is not set\n"
	cfg, err := ParseKernelConfig(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	// Kconfig writes no spaces around '=', but hand-edited files may.
	want := map[string]string{"CONFIG_ESC": `a "b" c\d`, "CONFIG_OFF": "n", "CONFIG_PAD": "7"}
	if len(cfg) != len(want) {
		t.Errorf("got %q, want %q", cfg, want)
	}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("%s = %q, want %q", k, cfg[k], v)
		}
	}
}

func TestPreemptModel(t *testing.T) {
	dyn := map[string]string{"CONFIG_PREEMPT_DYNAMIC": "y", "CONFIG_PREEMPT_NONE": "y"}
	for _, tc := range []struct {
		name    string
		cfg     map[string]string
		debugfs string
		want    string
	}{
		{"none", map[string]string{"CONFIG_PREEMPT_NONE": "y", "CONFIG_PREEMPT": "n"}, "", "none"},
		{"voluntary", map[string]string{"CONFIG_PREEMPT_VOLUNTARY": "y"}, "", "voluntary"},
		{"full", map[string]string{"CONFIG_PREEMPT": "y"}, "", "full"},
		{"lazy", map[string]string{"CONFIG_PREEMPT_LAZY": "y"}, "", "lazy"},
		{"rt before 6.13", map[string]string{"CONFIG_PREEMPT_RT": "y"}, "", "rt"},
		{"rt full", map[string]string{"CONFIG_PREEMPT_RT": "y", "CONFIG_PREEMPT": "y"}, "", "rt"},
		{"rt lazy", map[string]string{"CONFIG_PREEMPT_RT": "y", "CONFIG_PREEMPT_LAZY": "y"}, "", "rt, lazy"},
		{"dynamic build default", dyn, "", "dynamic (none)"},
		{"dynamic debugfs", dyn, "none voluntary (full) lazy\n", "dynamic (full)"},
		{"dynamic debugfs garbled", dyn, "none voluntary full", "dynamic (none)"},
		{"rt dynamic", map[string]string{"CONFIG_PREEMPT_RT": "y", "CONFIG_PREEMPT_DYNAMIC": "y",
			"CONFIG_PREEMPT": "y"}, "full (lazy)", "rt, dynamic (lazy)"},
		{"debugfs without config", nil, "(voluntary) full", "dynamic (voluntary)"},
		{"nothing known", nil, "", "unknown"},
	} {
		if got := PreemptModel(tc.cfg, tc.debugfs); got != tc.want {
			t.Errorf("%s: PreemptModel = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseLockdown(t *testing.T) {
	for in, want := range map[string]string{
		"[none] integrity confidentiality\n": "none",
		"none [integrity] confidentiality":   "integrity",
		"none integrity [confidentiality]":   "confidentiality",
		"none integrity confidentiality":     "",
		"":                                   "",
	} {
		if got := parseLockdown(in); got != want {
			t.Errorf("parseLockdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCmdlineLockdown(t *testing.T) {
	for in, want := range map[string]string{
		"quiet lockdown=integrity":                         "integrity",
		"lockdown=confidentiality lockdown=integrity":      "confidentiality",
		"quiet panic=1":                                    "",
		"quiet -- lockdown=integrity":                      "", // init's argument
		"lockdown=bogus integrity":                         "",
		"console=ttyS0 lockdown=confidentiality -- --flag": "confidentiality",
	} {
		if got := cmdlineLockdown(in); got != want {
			t.Errorf("cmdlineLockdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadKernelConfigFrom(t *testing.T) {
	raw, err := os.ReadFile(configFixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gzPath := filepath.Join(dir, "config.gz")
	f, err := os.Create(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	z := gzip.NewWriter(f)
	if _, err := z.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	bootPath := filepath.Join(dir, "config-6.18.0")
	boot := strings.Replace(string(raw), "CONFIG_HZ=250", "CONFIG_HZ=1000", 1)
	if err := os.WriteFile(bootPath, []byte(boot), 0o644); err != nil {
		t.Fatal(err)
	}
	notGz := filepath.Join(dir, "plain.gz")
	if err := os.WriteFile(notGz, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")

	fixture := KernelConfig{Preempt: "dynamic (none)", HZ: 250, NoHZ: "idle", BPFJITAlwaysOn: true}
	fromBoot := fixture
	fromBoot.Source, fromBoot.HZ = bootPath, 1000
	fromGz := fixture
	fromGz.Source = gzPath
	for _, tc := range []struct {
		name, gz, boot string
		want           KernelConfig
	}{
		{"gz preferred", gzPath, bootPath, fromGz},
		{"only boot", missing, bootPath, fromBoot},
		{"corrupt gz falls back", notGz, bootPath, fromBoot},
		{"neither", missing, missing, KernelConfig{Preempt: "unknown"}},
		{"no paths", "", "", KernelConfig{Preempt: "unknown"}},
	} {
		if got := readKernelConfigFrom(tc.gz, tc.boot); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestSysFactsRun runs the real readers here. The values depend on the
// machine, so only their form is asserted, and that a configuration found
// was also understood.
func TestSysFactsRun(t *testing.T) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	kc := ReadKernelConfig(unix.ByteSliceToString(u.Release[:]))
	t.Logf("kernel config: %+v", kc)
	if kc.Preempt == "" {
		t.Error("ReadKernelConfig: empty Preempt")
	}
	// Every kernel configuration sets CONFIG_HZ and a preemption model.
	if kc.Source != "" && (kc.HZ <= 0 || kc.Preempt == "unknown") {
		t.Errorf("configuration read from %s but HZ %d, preempt %q", kc.Source, kc.HZ, kc.Preempt)
	}
	if smt := SMT(); smt != "on" && smt != "off" && smt != "unknown" {
		t.Errorf("SMT = %q, want on, off or unknown", smt)
	}
	lockdown := strings.TrimSuffix(Lockdown(), " (from cmdline)")
	switch lockdown {
	case "none", "integrity", "confidentiality", "unknown (securityfs not mounted)":
	default:
		t.Errorf("Lockdown = %q, want a lockdown level or unknown", Lockdown())
	}
	for name, f := range map[string]func() string{
		"SMT": SMT, "Governor": Governor, "BootCmdline": BootCmdline, "Lockdown": Lockdown,
	} {
		v := f()
		t.Logf("%s: %q", name, v)
		if v == "" {
			t.Errorf("%s returned an empty string", name)
		}
	}
}
