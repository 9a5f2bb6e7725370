package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ringbench/schema"
)

// Matrix is a set of scenarios to run: blocks, each the cross product of
// its keys' values over the defaults, with repetitions and timing shared by
// all. A matrix file is its JSON form (see README.md, "Matrix files").
type Matrix struct {
	Description string
	Reps        int
	Duration    time.Duration
	Warmup      time.Duration
	Blocks      []Block
	// Emulated is the matrix's emulated form, nil when it has none.
	Emulated *EmulatedForm
}

// EmulatedForm is how a matrix runs in an emulated guest (ringbench vm
// under QEMU's TCG), where each repetition costs seconds more to start
// than on hardware: a subset of its scenarios (Filter), and the matrix's
// windows and warm-ups replaced (a block that sets its own keeps them).
// The repetitions stay the matrix's, so that two guests' runs can still
// be compared.
type EmulatedForm struct {
	Filter           Filter
	Duration, Warmup time.Duration
}

// String says what the emulated form runs, for run.json and the log.
func (e EmulatedForm) String() string {
	return fmt.Sprintf("%s, %v + %v warm-up", e.Filter, e.Duration, e.Warmup)
}

// Block is one cross product: every key maps to the values it takes.
type Block struct {
	Name   string
	Values map[string][]string
	// Interleave names a group of blocks whose scenarios run a repetition
	// round at a time (A, B, A, B…) instead of each scenario's repetitions
	// in a row, so that drift on a shared machine falls on every side of a
	// comparison; "" runs them in a row. Blocks of one group follow each
	// other (a pair that needs different waits takes two blocks).
	Interleave string
}

// Planned is one expanded scenario: resolved parameters, or why this
// machine cannot run it.
type Planned struct {
	Params Params
	Skip   string
	// Group is the interleaved block it belongs to, numbered from 1; 0
	// for a scenario whose repetitions run in a row.
	Group int
}

// ParseMatrix reads a matrix file. It checks everything it can without the
// machine and returns every problem, one line each. Unless the file is not
// JSON at all, the matrix comes back even with problems, holding what was
// valid, so Expand can report the problems of combinations too.
func ParseMatrix(data []byte) (*Matrix, []string) {
	var top map[string]json.RawMessage
	if err := strictJSON(data, &top); err != nil {
		return nil, []string{fmt.Sprintf("not a JSON object: %v", err)}
	}
	m := &Matrix{Reps: 3, Duration: 3 * time.Second, Warmup: time.Second}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, k := range sortedKeys(top) {
		v := top[k]
		switch k {
		case "description":
			if json.Unmarshal(v, &m.Description) != nil {
				bad("description: want a string")
			}
		case "reps":
			if json.Unmarshal(v, &m.Reps) != nil || m.Reps < 1 || m.Reps > 1000 {
				bad("reps %s: want a whole number from 1 to 1000", v)
			}
		case "duration", "warmup":
			var s string
			if json.Unmarshal(v, &s) != nil {
				bad("%s %s: %s", k, v, windowWant)
			} else if d, err := parseWindow(k, s); err != nil {
				bad("%v", err)
			} else if k == "duration" {
				m.Duration = d
			} else {
				m.Warmup = d
			}
		case "emulated":
			e, err := parseEmulated(v)
			if err != nil {
				bad("emulated: %v", err)
			} else {
				m.Emulated = e
			}
		case "blocks":
			var raw []map[string]json.RawMessage
			if err := json.Unmarshal(v, &raw); err != nil || len(raw) == 0 {
				bad("blocks: want a non-empty array of objects, each mapping keys to values")
				continue
			}
			for i, rb := range raw {
				b, ps := parseBlock(i, rb)
				m.Blocks = append(m.Blocks, b)
				problems = append(problems, ps...)
			}
		default:
			bad("unknown key %q (want description, reps, duration, warmup, emulated, blocks)", k)
		}
	}
	if _, ok := top["blocks"]; !ok {
		bad("no blocks: a matrix needs at least one block of scenario keys")
	}
	return m, problems
}

// parseEmulated reads {"filter": "KEY=VALUE,…", "duration": D, "warmup": D}.
func parseEmulated(v json.RawMessage) (*EmulatedForm, error) {
	var raw struct{ Filter, Duration, Warmup string }
	d := json.NewDecoder(bytes.NewReader(v))
	d.DisallowUnknownFields()
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("want {\"filter\": \"KEY=VALUE,…\", \"duration\": \"300ms\", \"warmup\": \"100ms\"}: %v", err)
	}
	f, err := ParseFilter(raw.Filter)
	if err != nil {
		return nil, err
	}
	e := &EmulatedForm{Filter: f}
	if e.Duration, err = parseWindow("duration", raw.Duration); err != nil {
		return nil, err
	}
	if e.Warmup, err = parseWindow("warmup", raw.Warmup); err != nil {
		return nil, err
	}
	return e, nil
}

// windowWant says what a window or warm-up must be.
const windowWant = `want a duration string such as "3s" or "500ms"`

// parseWindow reads a window ("duration", more than 0) or warm-up
// ("warmup", 0 or more), the matrix's own or its emulated form's.
func parseWindow(key, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || (key == "duration" && d == 0) {
		return 0, fmt.Errorf("%s %q: %s", key, s, windowWant)
	}
	return d, nil
}

func parseBlock(i int, raw map[string]json.RawMessage) (Block, []string) {
	b := Block{Name: fmt.Sprintf("block %d", i+1), Values: map[string][]string{}}
	var problems []string
	if v, ok := raw["name"]; ok {
		var name string
		if json.Unmarshal(v, &name) != nil || name == "" {
			problems = append(problems, fmt.Sprintf("%s: name: want a non-empty string", b.Name))
		} else {
			b.Name = fmt.Sprintf("block %d (%s)", i+1, name)
		}
	}
	if v, ok := raw["interleave"]; ok {
		var on bool
		if json.Unmarshal(v, &on) == nil {
			if on {
				b.Interleave = b.Name
			}
		} else if json.Unmarshal(v, &b.Interleave) != nil || b.Interleave == "" {
			problems = append(problems, fmt.Sprintf("%s: interleave: want true, or the name of the group of blocks to interleave", b.Name))
		}
	}
	for _, k := range sortedKeys(raw) {
		if k == "name" || k == "interleave" {
			continue
		}
		if _, ok := matrixKeys[k]; !ok {
			problems = append(problems, fmt.Sprintf("%s: unknown key %q (want one of %s)", b.Name, k, strings.Join(MatrixKeyNames(), ", ")))
			continue
		}
		vals, err := scalars(raw[k])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s: %v", b.Name, k, err))
			continue
		}
		var good []string
		for _, v := range vals {
			// Values that cannot parse are reported here, once, and left
			// out, so Expand finds only what is wrong in combination.
			scratch := schema.Defaults()
			if err := matrixKeys[k].set(&scratch, v, nil); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", b.Name, err))
				continue
			}
			good = append(good, v)
		}
		if len(good) > 0 {
			b.Values[k] = good
		}
	}
	if len(b.Values["rate"]) > 0 && slices.Contains(b.Values["b2b"], "true") {
		problems = append(problems, fmt.Sprintf("%s: b2b has no rate (the consumer triggers the next batch itself): put b2b scenarios in a block without rate", b.Name))
	}
	return b, problems
}

// scalars accepts a JSON scalar or an array of them, as strings.
func scalars(v json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if json.Unmarshal(v, &list) != nil {
		list = []json.RawMessage{v}
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("empty list: give at least one value")
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		d := json.NewDecoder(bytes.NewReader(x))
		d.UseNumber()
		var s any
		if err := d.Decode(&s); err != nil {
			return nil, err
		}
		switch s := s.(type) {
		case string:
			out = append(out, s)
		case json.Number:
			out = append(out, s.String())
		case bool:
			out = append(out, fmt.Sprint(s))
		default:
			return nil, fmt.Errorf("%s: want a string, number or boolean, or a list of them", x)
		}
	}
	return out, nil
}

func strictJSON(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after the object")
	}
	return nil
}

// Expand resolves every block's cross product on this machine. Malformed
// or impossible scenarios are problems (the matrix is refused); ones this
// machine or kernel cannot run are planned as skipped, with the reason.
// unsupported says why a transport cannot run here ("" when it can).
// Duplicates (same ID) are kept once, at their first place.
func (m *Matrix) Expand(online []int, unsupported func(transport string) string) ([]Planned, []string) {
	var out []Planned
	var problems []string
	seen := map[string]bool{}
	said := map[string]bool{}
	groups := map[string]int{}
	for i, b := range m.Blocks {
		group := 0
		if b.Interleave != "" {
			if i > 0 && groups[b.Interleave] != 0 && m.Blocks[i-1].Interleave != b.Interleave {
				problems = append(problems, fmt.Sprintf("%s: interleave %q: the blocks of a group must follow each other", b.Name, b.Interleave))
			}
			if groups[b.Interleave] == 0 {
				groups[b.Interleave] = len(groups) + 1
			}
			group = groups[b.Interleave]
		}
		for _, combo := range b.combinations() {
			p, skip, err := m.params(combo, online)
			if err != nil {
				if msg := fmt.Sprintf("%s: %s: %v", b.Name, describe(combo), err); !said[msg] {
					said[msg] = true
					problems = append(problems, msg)
				}
				continue
			}
			if why := unsupported(p.Transport); why != "" {
				skip = why
			}
			if id := p.ID(); !seen[id] {
				seen[id] = true
				out = append(out, Planned{Params: p, Skip: skip, Group: group})
			}
		}
	}
	return out, problems
}

// combinations is the block's cross product, in key order.
func (b Block) combinations() []map[string]string {
	combos := []map[string]string{{}}
	for _, k := range MatrixKeyNames() {
		vals, ok := b.Values[k]
		if !ok {
			continue
		}
		next := make([]map[string]string, 0, len(combos)*len(vals))
		for _, c := range combos {
			for _, v := range vals {
				n := make(map[string]string, len(c)+1)
				for ck, cv := range c {
					n[ck] = cv
				}
				n[k] = v
				next = append(next, n)
			}
		}
		combos = next
	}
	return combos
}

func describe(combo map[string]string) string {
	if len(combo) == 0 {
		return "defaults"
	}
	parts := make([]string, 0, len(combo))
	for _, k := range sortedKeys(combo) {
		parts = append(parts, k+"="+combo[k])
	}
	return strings.Join(parts, " ")
}

// producerCPUs is how many CPUs producers get: all but the consumers', or
// one.
func producerCPUs(online []int, consumers int) int {
	return max(len(online)-max(consumers, 1), 1)
}
