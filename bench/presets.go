package bench

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed presets/*.json
var presetFiles embed.FS

// PresetNames are the built-in matrices, smallest first.
var PresetNames = []string{"quick", "standard", "full"}

// Preset returns a built-in matrix; presets are matrix files, checked by
// the same parser.
func Preset(name string) (*Matrix, error) {
	data, err := presetFiles.ReadFile("presets/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("unknown preset %q (want %s)", name, strings.Join(PresetNames, ", "))
	}
	m, problems := ParseMatrix(data)
	if len(problems) > 0 {
		return nil, fmt.Errorf("preset %s: %s", name, strings.Join(problems, "; "))
	}
	return m, nil
}
