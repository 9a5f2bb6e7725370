package bpf

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// loadOne loads spec's maps into M (a bpf2go maps struct) and the one
// program named prog, leaving the others unloaded: an object holds a
// variant per attach method, and one the kernel refuses (fentry here) must
// not stop the others.
//
// It goes through LoadAndAssign, which loads only what its target names,
// rather than NewCollection: that also builds Variables, for which
// cilium/ebpf mmaps the data sections and unmaps them only from a GC
// cleanup, keeping those maps alive in the kernel after Close. The target
// is M's fields plus the program under its name, a struct built for the
// call because a tag cannot be chosen at run time otherwise.
func loadOne[M any](spec *ebpf.CollectionSpec, prog string) (maps M, p *ebpf.Program, err error) {
	mt := reflect.TypeOf(maps)
	fields := make([]reflect.StructField, 0, mt.NumField()+1)
	for i := range mt.NumField() {
		f := mt.Field(i)
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
	}
	fields = append(fields, reflect.StructField{Name: "Program", Type: reflect.TypeOf(p),
		Tag: reflect.StructTag(`ebpf:"` + prog + `"`)})
	target := reflect.New(reflect.StructOf(fields)).Elem()
	if err := spec.LoadAndAssign(target.Addr().Interface(), nil); err != nil {
		return maps, nil, describeLoadError(err)
	}
	mv := reflect.ValueOf(&maps).Elem()
	for i := range mt.NumField() {
		mv.Field(i).Set(target.Field(i))
	}
	return maps, target.Field(mt.NumField()).Interface().(*ebpf.Program), nil
}

// detach closes an attached program's link, then the program, each once.
func detach(l *link.Link, p **ebpf.Program) {
	if *l != nil {
		(*l).Close()
		*l = nil
	}
	if *p != nil {
		(*p).Close()
		*p = nil
	}
}

// tracepointMethods are the attach methods of the helper programs, best
// first: BTF-typed, then classic raw tracepoints.
var tracepointMethods = []AttachMethod{TpBTF, RawTp}

// firstMethod returns what start gives for the first of tracepointMethods
// the kernel accepts; when none does, every method's error, under what.
func firstMethod[T any](what string, start func(AttachMethod) (T, error)) (T, error) {
	var errs []error
	for _, m := range tracepointMethods {
		v, err := start(m)
		if err == nil {
			return v, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", m, err))
	}
	var zero T
	return zero, fmt.Errorf("%s: %w", what, errors.Join(errs...))
}

// loadFor loads a spec with its variables set, and of its programs the one
// attach method m uses.
func loadFor[M any](load func() (*ebpf.CollectionSpec, error), vars map[string]any,
	progs map[AttachMethod]string, m AttachMethod) (maps M, p *ebpf.Program, err error) {
	spec, err := load()
	if err != nil {
		return maps, nil, err
	}
	for name, v := range vars {
		if err := spec.Variables[name].Set(v); err != nil {
			return maps, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return loadOne[M](spec, progs[m])
}
