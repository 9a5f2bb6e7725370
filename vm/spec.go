package vm

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Kind says where a kernel comes from.
type Kind string

const (
	KindHost   Kind = "host"   // the running kernel: no VM
	KindDebian Kind = "debian" // a Debian linux-image package
	KindPath   Kind = "path"   // a kernel image (and modules) on disk
)

// Spec is one --kernel argument.
type Spec struct {
	Raw     string `json:"spec"`
	Kind    Kind   `json:"kind"`
	Version string `json:"version,omitempty"` // debian: "6.1", "6.12", "6.1.0-56", "6.12.117"
	Flavour string `json:"flavour,omitempty"` // debian: "", "rt" or "cloud"
	Image   string `json:"image,omitempty"`   // path: the bzImage
	Modules string `json:"modules,omitempty"` // path: lib/modules/<release>, "" if not given
}

// Debian flavours the amd64 archive builds, besides the plain one.
var debianFlavours = []string{"rt", "cloud"}

var debianVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9]+)?$`)

// parseSpec reads one kernel spec: "host", "debian:VERSION[-FLAVOUR]"
// (debian:6.1, debian:6.12, debian:6.12-rt) or "PATH/vmlinuz[:MODULES_DIR]".
// It checks the syntax only; whether the kernel exists is found out later.
func parseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	sp := Spec{Raw: s}
	switch {
	case s == "":
		return sp, fmt.Errorf("empty kernel spec (want host, debian:VERSION[-FLAVOUR] or PATH/vmlinuz[:MODULES_DIR])")
	case s == "host":
		sp.Kind = KindHost
		return sp, nil
	case strings.HasPrefix(s, "debian:"):
		v := strings.TrimPrefix(s, "debian:")
		for _, f := range debianFlavours {
			if base, ok := strings.CutSuffix(v, "-"+f); ok {
				v, sp.Flavour = base, f
				break
			}
		}
		if !debianVersion.MatchString(v) {
			return sp, fmt.Errorf("kernel %q: want debian:MAJOR.MINOR[.PATCH][-%s], e.g. debian:6.1, debian:6.12-rt", s, strings.Join(debianFlavours, "|-"))
		}
		sp.Kind, sp.Version = KindDebian, v
		return sp, nil
	}
	image, modules := s, ""
	if _, err := os.Stat(s); err != nil {
		if i := strings.LastIndexByte(s, ':'); i > 0 {
			image, modules = s[:i], s[i+1:]
		}
	}
	if !looksLikePath(image) {
		return sp, fmt.Errorf("unknown kernel spec %q (want host, debian:VERSION[-FLAVOUR] or PATH/vmlinuz[:MODULES_DIR])", s)
	}
	if strings.Contains(s, ":") && modules == "" && !exists(s) {
		return sp, fmt.Errorf("kernel %q: empty MODULES_DIR after ':'", s)
	}
	sp.Kind, sp.Image, sp.Modules = KindPath, image, modules
	return sp, nil
}

// looksLikePath accepts what can only be meant as a file: a path with a
// slash, or a bare name that exists or is called vmlinu[xz]*/bzImage.
func looksLikePath(p string) bool {
	if p == "" {
		return false
	}
	if strings.Contains(p, "/") || exists(p) {
		return true
	}
	return strings.HasPrefix(p, "vmlinu") || strings.HasPrefix(p, "bzImage")
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// String is the spec as given.
func (s Spec) String() string { return s.Raw }
