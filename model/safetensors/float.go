package safetensors

import "math"

// Conversions between float64 and the narrow IEEE 754 formats. They work on
// float64 directly rather than going through float32, because rounding twice
// (float64 to float32 to float16) gives the wrong answer for values just off
// a float16 midpoint.

// narrow returns the bits of the binary format with expBits exponent bits and
// manBits mantissa bits nearest to v, ties to even. Values too large become
// infinities; NaNs stay NaNs (quiet, sign kept).
func narrow(v float64, expBits, manBits uint) uint64 {
	b := math.Float64bits(v)
	sign := b >> 63 << (expBits + manBits)
	exp := int(b >> 52 & 0x7ff)
	man := b & (1<<52 - 1)
	inf := uint64(1<<expBits-1) << manBits
	if exp == 0x7ff {
		if man != 0 {
			return sign | inf | 1<<(manBits-1)
		}
		return sign | inf
	}
	if exp == 0 {
		// float64 zero or subnormal: far below half the smallest
		// subnormal of any narrower format.
		return sign
	}
	bias := 1<<(expBits-1) - 1
	e := exp - 1023 + bias // biased exponent in the narrow format
	full := man | 1<<52
	var shift uint
	var q uint64
	if e >= 1 {
		shift = 52 - manBits
		q = uint64(e)<<manBits | man>>shift
	} else {
		// Subnormal in the narrow format: the implicit bit becomes explicit
		// and the mantissa shifts right by the exponent deficit.
		shift = 52 - manBits + uint(1-e)
		if shift > 53 {
			return sign // below half the smallest subnormal
		}
		q = full >> shift
	}
	rem := full & (1<<shift - 1)
	half := uint64(1) << (shift - 1)
	if rem > half || rem == half && q&1 == 1 {
		q++ // may carry into the exponent, which is what rounding up means
	}
	if q >= inf {
		q = inf
	}
	return sign | q
}

// widen returns the value of bits b in the binary format with expBits
// exponent bits and manBits mantissa bits. Every such value is exactly a
// float64.
func widen(b uint64, expBits, manBits uint) float64 {
	neg := b>>(expBits+manBits)&1 == 1
	exp := int(b >> manBits & (1<<expBits - 1))
	man := b & (1<<manBits - 1)
	bias := 1<<(expBits-1) - 1
	var v float64
	switch exp {
	case 0:
		// A subnormal: the mantissa times the smallest subnormal's power of
		// two, itself a normal float64, so the product is exact.
		v = float64(man) * pow2(1-bias-int(manBits))
	case 1<<expBits - 1:
		if man != 0 {
			return math.NaN()
		}
		v = math.Inf(1)
	default:
		// A normal number is a normal float64 with the exponent rebiased and
		// the mantissa shifted up: built from bits, as math.Ldexp is slow
		// where it matters most, in the browser loading half-precision
		// weights (a quarter of the widget's start-up).
		v = math.Float64frombits(uint64(exp-bias+1023)<<52 | man<<(52-manBits))
	}
	if neg {
		v = -v
	}
	return v
}

// pow2 returns 2**e for e in float64's normal range.
func pow2(e int) float64 { return math.Float64frombits(uint64(e+1023) << 52) }

func f16Bits(v float64) uint16  { return uint16(narrow(v, 5, 10)) }
func bf16Bits(v float64) uint16 { return uint16(narrow(v, 8, 7)) }
func fromF16(b uint16) float64  { return widen(uint64(b), 5, 10) }
func fromBF16(b uint16) float64 { return widen(uint64(b), 8, 7) }
