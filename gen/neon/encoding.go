package neon

import "fmt"

// Arrangement is a vector register's lane layout: four float32 lanes (4S)
// or two float64 lanes (2D).
type Arrangement struct {
	Go    string // Go assembler suffix: "S4", "D2"
	GNU   string // GNU assembler suffix: "4s", "2d"
	Lanes int
	Bits  int // lane width
}

var (
	// S4 is four float32 lanes.
	S4 = Arrangement{Go: "S4", GNU: "4s", Lanes: 4, Bits: 32}
	// D2 is two float64 lanes.
	D2 = Arrangement{Go: "D2", GNU: "2d", Lanes: 2, Bits: 64}
	// S2 is the low two float32 lanes, the source of FCVTL.
	S2 = Arrangement{Go: "S2", GNU: "2s", Lanes: 2, Bits: 32}
)

// arrangementFor is the arrangement of a kernel of the given precision.
func arrangementFor(bits int) Arrangement {
	if bits == 32 {
		return S4
	}
	return D2
}

// Encoding is one vector instruction that Go's arm64 assembler cannot
// spell (it has no vector floating-point arithmetic or comparisons), so
// the emitter writes it as a WORD directive. Base holds the opcode bits of
// one arrangement with every register field zero; the register numbers
// are ORed in as Rm<<16 | Rn<<5 | Rd.
type Encoding struct {
	Mnemonic string // GNU mnemonic, e.g. "fadd"
	Arr      Arrangement
	Base     uint32
	Unary    bool        // no Rm (fsqrt, fabs, compares with zero)
	Operand  string      // a last operand written out, e.g. "#0.0"; with NoRn the only source
	NoRn     bool        // no Rn either: Rd and the immediate Operand (fmov #1.0)
	Src      Arrangement // Rn's arrangement where it differs from Arr (fcvtl); zero otherwise
}

// Encodings is the single table of every WORD-encoded instruction the
// emitter can produce. The encodings come from the Arm ARM (Advanced SIMD
// three-same and two-register-misc groups); the test in this package
// assembles each with GNU as and compares.
var Encodings = []Encoding{
	{Mnemonic: "fadd", Arr: S4, Base: 0x4e20d400},
	{Mnemonic: "fadd", Arr: D2, Base: 0x4e60d400},
	{Mnemonic: "fsub", Arr: S4, Base: 0x4ea0d400},
	{Mnemonic: "fsub", Arr: D2, Base: 0x4ee0d400},
	{Mnemonic: "fmul", Arr: S4, Base: 0x6e20dc00},
	{Mnemonic: "fmul", Arr: D2, Base: 0x6e60dc00},
	{Mnemonic: "fdiv", Arr: S4, Base: 0x6e20fc00},
	{Mnemonic: "fdiv", Arr: D2, Base: 0x6e60fc00},
	{Mnemonic: "fsqrt", Arr: S4, Base: 0x6ea1f800, Unary: true},
	{Mnemonic: "fsqrt", Arr: D2, Base: 0x6ee1f800, Unary: true},
	{Mnemonic: "fcmgt", Arr: S4, Base: 0x6ea0e400}, // Vn > Vm: all ones, else zero (false for NaN)
	{Mnemonic: "fcmgt", Arr: D2, Base: 0x6ee0e400},
	{Mnemonic: "fcmeq", Arr: S4, Base: 0x4e20e400}, // Vn == Vm: all ones, else zero (false for NaN)
	{Mnemonic: "fcmeq", Arr: D2, Base: 0x4e60e400},
	{Mnemonic: "fabs", Arr: S4, Base: 0x4ea0f800, Unary: true},
	{Mnemonic: "fabs", Arr: D2, Base: 0x4ee0f800, Unary: true},
	{Mnemonic: "fcmgt", Arr: S4, Base: 0x4ea0c800, Unary: true, Operand: "#0.0"}, // Vn > 0
	{Mnemonic: "fcmgt", Arr: D2, Base: 0x4ee0c800, Unary: true, Operand: "#0.0"},
	{Mnemonic: "fcmlt", Arr: S4, Base: 0x4ea0e800, Unary: true, Operand: "#0.0"}, // Vn < 0
	{Mnemonic: "fcmlt", Arr: D2, Base: 0x4ee0e800, Unary: true, Operand: "#0.0"},
	{Mnemonic: "fmov", Arr: S4, Base: 0x4f03f600, NoRn: true, Operand: "#1.0"},
	{Mnemonic: "fmov", Arr: D2, Base: 0x6f03f600, NoRn: true, Operand: "#1.0"},
	{Mnemonic: "fmov", Arr: S4, Base: 0x4f07f600, NoRn: true, Operand: "#-1.0"},
	{Mnemonic: "fmov", Arr: D2, Base: 0x6f07f600, NoRn: true, Operand: "#-1.0"},
	// Widening float32 to float64 (exact): the low two lanes, the high two.
	{Mnemonic: "fcvtl", Arr: D2, Src: S2, Base: 0x0e617800, Unary: true},
	{Mnemonic: "fcvtl2", Arr: D2, Src: S4, Base: 0x4e617800, Unary: true},
}

// lookup is the table entry of a mnemonic and arrangement; operand picks
// among entries that differ only in their written-out operand ("" for
// the register forms).
func lookup(mnemonic string, arr Arrangement, operand ...string) Encoding {
	want := ""
	if len(operand) > 0 {
		want = operand[0]
	}
	for _, e := range Encodings {
		if e.Mnemonic == mnemonic && e.Arr == arr && e.Operand == want {
			return e
		}
	}
	panic("neon: no encoding for " + mnemonic + "." + arr.GNU + " " + want)
}

// Word is the instruction with destination d and sources n and m (m is
// ignored by unary instructions).
func (e Encoding) Word(d, n, m int) uint32 {
	for _, r := range []int{d, n, m} {
		if r < 0 || r > 31 {
			panic(fmt.Sprintf("neon: register V%d out of range", r))
		}
	}
	w := e.Base | uint32(d)
	if !e.NoRn {
		w |= uint32(n) << 5
	}
	if !e.Unary && !e.NoRn {
		w |= uint32(m) << 16
	}
	return w
}

// GNU is the instruction in GNU assembler syntax, e.g.
// "fadd v0.4s, v1.4s, v2.4s": the comment after its WORD, and what the
// encoding test assembles.
func (e Encoding) GNU(d, n, m int) string {
	switch {
	case e.NoRn:
		return fmt.Sprintf("%s v%d.%s, %s", e.Mnemonic, d, e.Arr.GNU, e.Operand)
	case e.Unary && e.Operand != "" && e.Src != (Arrangement{}):
		return fmt.Sprintf("%s v%d.%s, v%d.%s, %s", e.Mnemonic, d, e.Arr.GNU, n, e.Src.GNU, e.Operand)
	case e.Unary && e.Operand != "":
		return fmt.Sprintf("%s v%d.%s, v%d.%s, %s", e.Mnemonic, d, e.Arr.GNU, n, e.Arr.GNU, e.Operand)
	case e.Unary && e.Src != (Arrangement{}):
		return fmt.Sprintf("%s v%d.%s, v%d.%s", e.Mnemonic, d, e.Arr.GNU, n, e.Src.GNU)
	case e.Unary:
		return fmt.Sprintf("%s v%d.%s, v%d.%s", e.Mnemonic, d, e.Arr.GNU, n, e.Arr.GNU)
	}
	return fmt.Sprintf("%s v%d.%s, v%d.%s, v%d.%s", e.Mnemonic, d, e.Arr.GNU, n, e.Arr.GNU, m, e.Arr.GNU)
}

// Directive is the Go assembler line for the instruction: the WORD and, in
// a comment, the instruction it encodes.
func (e Encoding) Directive(d, n, m int) string {
	return fmt.Sprintf("WORD\t$0x%08x // %s", e.Word(d, n, m), e.GNU(d, n, m))
}
