package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// wasmSizes reads a WebAssembly module built with its symbols (Go's js/wasm
// without -ldflags=-s, which keeps the "name" section) and returns the bytes
// of code per package group, largest first, with the data section, which
// holds every package's constants and tables, as one more group. go tool nm
// does not read wasm, hence this.
func wasmSizes(bin []byte) ([]pkgSize, error) {
	r := &wasmReader{b: bin}
	if len(bin) < 8 || string(bin[:4]) != "\x00asm" {
		return nil, errors.New("wasm: not a WebAssembly module")
	}
	r.off = 8
	var imported int
	var bodies []int
	names := map[int]string{}
	dataBytes := 0
	for r.off < len(r.b) {
		id := r.byte()
		size := r.uleb()
		end := r.off + size
		if r.err != nil || end > len(r.b) {
			return nil, fmt.Errorf("wasm: section %d at %d runs past the end", id, r.off)
		}
		sec := &wasmReader{b: r.b[:end], off: r.off}
		switch id {
		case 2: // imports: function indices count them first
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				sec.name()
				sec.name()
				switch sec.byte() {
				case 0:
					sec.uleb()
					imported++
				case 1:
					sec.byte()
					sec.limits()
				case 2:
					sec.limits()
				case 3:
					sec.byte()
					sec.byte()
				}
			}
		case 10: // code
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				s := sec.uleb()
				bodies = append(bodies, s)
				sec.off += s
			}
		case 11: // data
			dataBytes += size
		case 0: // custom: only "name" matters
			if sec.name() != "name" {
				break
			}
			for sec.off < end && sec.err == nil {
				sub := sec.byte()
				subSize := sec.uleb()
				subEnd := sec.off + subSize
				if sub == 1 {
					for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
						idx := sec.uleb()
						names[idx] = sec.name()
					}
				}
				sec.off = subEnd
			}
		}
		if sec.err != nil {
			return nil, fmt.Errorf("wasm: section %d: %w", id, sec.err)
		}
		r.off = end
	}
	if len(names) == 0 {
		return nil, errors.New("wasm: no function names (built with -ldflags=-s?)")
	}
	sums := map[string]int{"(data section: constants, tables, strings)": dataBytes}
	for i, s := range bodies {
		name, ok := names[imported+i]
		if !ok {
			name = "?"
		}
		sums[packageGroup(name)] += s
	}
	var ps []pkgSize
	for k, v := range sums {
		ps = append(ps, pkgSize{k, v})
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].bytes != ps[j].bytes {
			return ps[i].bytes > ps[j].bytes
		}
		return ps[i].name < ps[j].name
	})
	return ps, nil
}

// wasmReader decodes the primitives of the binary format, remembering the
// first error (reading past the end) instead of panicking.
type wasmReader struct {
	b   []byte
	off int
	err error
}

func (r *wasmReader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.err = errors.New("truncated")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *wasmReader) uleb() int {
	if r.err != nil || r.off >= len(r.b) {
		r.err = errors.New("truncated")
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || v > 1<<31 {
		r.err = errors.New("bad LEB128 number")
		return 0
	}
	r.off += n
	return int(v)
}

func (r *wasmReader) name() string {
	n := r.uleb()
	if r.err != nil || r.off+n > len(r.b) {
		r.err = errors.New("truncated")
		return ""
	}
	s := string(r.b[r.off : r.off+n])
	r.off += n
	return s
}

func (r *wasmReader) limits() {
	if r.byte()&1 != 0 {
		r.uleb()
	}
	r.uleb()
}
