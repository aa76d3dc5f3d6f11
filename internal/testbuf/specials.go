package testbuf

// Special is a named special value, both widths given as bit patterns so
// that the table is exact and portable.
type Special struct {
	Name   string
	Bits32 uint32
	Bits64 uint64
}

// SpecialTable lists the values at the edges of IEEE 754 arithmetic that
// every kernel must treat alike at every level: signed zeros, the smallest
// and largest subnormals, the smallest normal, huge finite values whose
// squares overflow, the infinities, and NaNs of both signs and with a
// payload, plus ordinary values of both signs for contrast.
var SpecialTable = []Special{
	{"+0", 0x00000000, 0x0000000000000000},
	{"-0", 0x80000000, 0x8000000000000000},
	{"+min-subnormal", 0x00000001, 0x0000000000000001},
	{"-min-subnormal", 0x80000001, 0x8000000000000001},
	{"+max-subnormal", 0x007fffff, 0x000fffffffffffff},
	{"-max-subnormal", 0x807fffff, 0x800fffffffffffff},
	{"+min-normal", 0x00800000, 0x0010000000000000},
	{"-min-normal", 0x80800000, 0x8010000000000000},
	{"+huge", 0x7f7ffff0, 0x7feffffffffffff0}, // just below the largest finite
	{"-huge", 0xff7ffff0, 0xffeffffffffffff0},
	{"+max", 0x7f7fffff, 0x7fefffffffffffff},
	{"+1e19", 0x5f0ac723, 0x43e158e460913d00}, // square overflows float32, not float64
	{"+Inf", 0x7f800000, 0x7ff0000000000000},
	{"-Inf", 0xff800000, 0xfff0000000000000},
	{"NaN", 0x7fc00000, 0x7ff8000000000000},
	{"-NaN", 0xffc00000, 0xfff8000000000000},
	{"NaN-payload", 0x7fc0beef, 0x7ff800000000beef},
	{"+1", 0x3f800000, 0x3ff0000000000000},
	{"-0.75", 0xbf400000, 0xbfe8000000000000},
}

// Specials returns a fresh slice of every value in SpecialTable, in F.
func Specials[F Float]() []F {
	s := make([]F, len(SpecialTable))
	for i, sp := range SpecialTable {
		s[i] = SpecialValue[F](sp)
	}
	return s
}

// SpecialValue is sp in F.
func SpecialValue[F Float](sp Special) F {
	if isFloat32[F]() {
		return FromBits[F](uint64(sp.Bits32))
	}
	return FromBits[F](sp.Bits64)
}
