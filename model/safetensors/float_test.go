package safetensors

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The generic narrow/widen pair, instantiated for float32, must agree with
// the hardware conversion, which is correctly rounded. That checks the
// rounding logic on far more cases than the float16 table can.
func TestNarrowMatchesFloat32Conversion(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	special := []float64{0, math.Copysign(0, -1), 1, -1, math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, math.SmallestNonzeroFloat32 / 2, math.SmallestNonzeroFloat32 * 0.50000001,
		math.Nextafter(math.MaxFloat32, math.Inf(1)), math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), 0x1p-126, 0x1.fffffep-127, 0x1.fffffefp-127}
	for i := 0; i < 200000; i++ {
		var v float64
		switch {
		case i < len(special):
			v = special[i]
		case i%3 == 0:
			// Random float64 bits over the exponents around float32's range.
			exp := uint64(1023-160) + rng.Uint64N(320)
			v = math.Float64frombits(rng.Uint64()&(1<<63|1<<52-1) | exp<<52)
		case i%3 == 1:
			// Exact midpoints between neighbouring float32s, and their
			// float64 neighbours, where rounding is decided.
			f := math.Float32frombits(rng.Uint32()&^(0xff<<23) | uint32(rng.IntN(254))<<23)
			g := math.Nextafter32(f, float32(math.Inf(1)))
			mid := (float64(f) + float64(g)) / 2
			v = [3]float64{mid, math.Nextafter(mid, math.Inf(1)), math.Nextafter(mid, math.Inf(-1))}[rng.IntN(3)]
		default:
			v = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(80)-40))
		}
		got := uint32(narrow(v, 8, 23))
		want := math.Float32bits(float32(v))
		if got != want {
			t.Fatalf("narrow(%v = %#x) = %#x, float32 conversion gives %#x", v, math.Float64bits(v), got, want)
		}
	}
	for i := 0; i < 200000; i++ {
		b := rng.Uint32()
		if i < 256 {
			b = uint32(i) << 23 // every exponent, mantissa 0, including subnormal zero and infinity
		}
		got, want := widen(uint64(b), 8, 23), float64(math.Float32frombits(b))
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("widen(%#x) = %v, want %v", b, got, want)
		}
	}
	if b := narrow(math.NaN(), 8, 23); !math.IsNaN(float64(math.Float32frombits(uint32(b)))) {
		t.Errorf("narrow(NaN) = %#x, not a NaN", b)
	}
}

// Every float16 is exactly a float64, so it must convert back to itself; and
// the exact midpoint between two neighbours must round to the even one, while
// its float64 neighbours round to the nearer side.
func TestFloat16Exhaustive(t *testing.T) {
	for b := 0; b < 1<<16; b++ {
		h := uint16(b)
		v := fromF16(h)
		if math.IsNaN(v) != (h&0x7c00 == 0x7c00 && h&0x3ff != 0) {
			t.Fatalf("fromF16(%#04x) = %v: NaN-ness wrong", h, v)
		}
		if math.IsNaN(v) {
			if !math.IsNaN(fromF16(f16Bits(v))) {
				t.Fatalf("NaN from %#04x does not stay NaN", h)
			}
			continue
		}
		if got := f16Bits(v); got != h {
			t.Fatalf("f16Bits(fromF16(%#04x) = %v) = %#04x", h, v, got)
		}
		if h&0x7fff >= 0x7bff {
			continue // largest finite or infinity: no finite neighbour above
		}
		next := fromF16(h + 1)
		if h&0x8000 != 0 && h&0x7fff == 0 {
			continue // -0: its bit successor is the smallest negative subnormal, below it
		}
		mid := (v + next) / 2
		even := h
		if h&1 == 1 {
			even = h + 1
		}
		if got := f16Bits(mid); got != even {
			t.Fatalf("midpoint %v of %#04x and %#04x rounds to %#04x, want %#04x", mid, h, h+1, got, even)
		}
		up, down := h+1, h
		if h&0x8000 != 0 { // for negatives, larger bits are further from zero
			up, down = h, h+1
		}
		if got := f16Bits(math.Nextafter(mid, math.Inf(1))); got != up {
			t.Fatalf("just above %v rounds to %#04x, want %#04x", mid, got, up)
		}
		if got := f16Bits(math.Nextafter(mid, math.Inf(-1))); got != down {
			t.Fatalf("just below %v rounds to %#04x, want %#04x", mid, got, down)
		}
	}
}

// bfloat16 is the top half of a float32; for a float32-exact value the
// classic bit trick is the reference.
func TestBFloat16MatchesBitTrick(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		f := math.Float32frombits(rng.Uint32())
		if i < 1<<16 {
			f = math.Float32frombits(uint32(i)<<16 | 0x8000) // every exact tie
		}
		if f != f {
			continue
		}
		b := math.Float32bits(f)
		want := uint16((b + 0x7fff + (b>>16)&1) >> 16)
		if got := bf16Bits(float64(f)); got != want {
			t.Fatalf("bf16Bits(%v = %#08x) = %#04x, want %#04x", f, b, got, want)
		}
		if w := fromBF16(want); !math.IsNaN(w) && w != float64(math.Float32frombits(uint32(want)<<16)) {
			t.Fatalf("fromBF16(%#04x) = %v", want, w)
		}
	}
}

// TestWidenMatchesLdexp checks every half and bfloat16 bit pattern against
// the definition: (-1)^sign × mantissa × 2^exponent, computed by math.Ldexp.
func TestWidenMatchesLdexp(t *testing.T) {
	for _, tc := range []struct {
		name             string
		expBits, manBits uint
		widen            func(uint16) float64
	}{
		{"float16", 5, 10, fromF16},
		{"bfloat16", 8, 7, fromBF16},
	} {
		bias := 1<<(tc.expBits-1) - 1
		for b := 0; b < 1<<16; b++ {
			exp := b >> tc.manBits & (1<<tc.expBits - 1)
			man := b & (1<<tc.manBits - 1)
			var want float64
			switch exp {
			case 0:
				want = math.Ldexp(float64(man), 1-bias-int(tc.manBits))
			case 1<<tc.expBits - 1:
				want = math.Inf(1)
				if man != 0 {
					want = math.NaN()
				}
			default:
				want = math.Ldexp(float64(man|1<<tc.manBits), exp-bias-int(tc.manBits))
			}
			if b>>15 == 1 {
				want = -want
			}
			got := tc.widen(uint16(b))
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("%s %#04x: got %v, want %v", tc.name, b, got, want)
			}
		}
	}
}
